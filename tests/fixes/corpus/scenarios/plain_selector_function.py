"""Wait until a socket pair is readable; the selector is left open on a timeout."""
# corpus: shape = "plain"
# corpus: tags = ["function", "selector"]
# corpus: leaks_before = true
# corpus: leak = ["finalized:EpollSelector"]
# corpus: safe_fix = "expected"

import selectors
import socket


def readable(send_first):
    a, b = socket.socketpair()
    with a, b:
        if send_first:
            a.sendall(b"x")
        sel = selectors.DefaultSelector()
        sel.register(b, selectors.EVENT_READ)
        events = sel.select(timeout=0.01)
        if not events:
            return False
        sel.close()
        return True


def run(workdir, server_addr):
    return [readable(True), readable(False)]
