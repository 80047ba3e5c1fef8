"""Count the messages waiting in a POP3 mailbox."""
# corpus: shape = "with-unsupported"
# corpus: tags = ["function", "pop3", "socket"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed <socket.socket"]
# corpus: safe_fix = "any"
# corpus: server = "pop3"

import poplib


def count_messages(addr, user, password):
    box = poplib.POP3(addr[0], addr[1], timeout=5)
    box.user(user)
    box.pass_(password)
    count, size = box.stat()
    box.quit()
    return {"count": count, "size": size}


def run(workdir, server_addr):
    result = {"ada": count_messages(server_addr, "ada", "lovelace")}
    try:
        count_messages(server_addr, "ada", "wrong")
    except poplib.error_proto as exc:
        result["wrong"] = str(exc)
    return result
