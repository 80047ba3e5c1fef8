"""A test double that listens on a free port only to learn its number."""
# corpus: shape = "plain"
# corpus: tags = ["method", "socket"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed <socket.socket"]
# corpus: safe_fix = "expected"

import socket


class PortFinder:
    def __init__(self, host):
        self.host = host

    def free_port(self):
        listener = socket.create_server((self.host, 0))
        port = listener.getsockname()[1]
        return port > 0


def run(workdir, server_addr):
    return PortFinder("127.0.0.1").free_port()
