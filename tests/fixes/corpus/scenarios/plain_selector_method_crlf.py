"""A tiny poller object that creates a selector per poll (CRLF line endings)."""
# corpus: shape = "plain"
# corpus: tags = ["method", "selector", "crlf"]
# corpus: leaks_before = true
# corpus: leak = ["finalized:EpollSelector"]
# corpus: safe_fix = "expected"

import selectors
import socket


class Poller:
    def __init__(self, sock):
        self.sock = sock

    def poll(self):
        sel = selectors.DefaultSelector()
        sel.register(self.sock, selectors.EVENT_READ)
        ready = [key.fileobj is self.sock for key, _ in sel.select(timeout=0.01)]
        if not ready:
            raise TimeoutError("nothing to read")
        sel.close()
        return ready


def run(workdir, server_addr):
    a, b = socket.socketpair()
    with a, b:
        a.sendall(b"x")
        result = {"ready": Poller(b).poll()}
        b.recv(1)
        try:
            Poller(b).poll()
        except TimeoutError as exc:
            result["idle"] = str(exc)
    return result
