"""Fetch the first message of a mailbox (a client object without `with` support)."""
# corpus: shape = "with-unsupported"
# corpus: tags = ["method", "pop3", "socket"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed <socket.socket"]
# corpus: safe_fix = "any"
# corpus: server = "pop3"

import poplib


class MailFetcher:
    def __init__(self, addr):
        self.addr = addr

    def first_subject(self, number):
        box = poplib.POP3(*self.addr, timeout=5)
        box.user("ada")
        box.pass_("lovelace")
        _, lines, _ = box.retr(number)
        box.quit()
        return lines[0].decode()


def run(workdir, server_addr):
    fetcher = MailFetcher(server_addr)
    result = {"first": fetcher.first_subject(1)}
    try:
        fetcher.first_subject(9)
    except poplib.error_proto as exc:
        result["ninth"] = str(exc)
    return result
