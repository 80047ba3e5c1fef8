"""Ask the inventory service through a file made from the socket."""
# corpus: shape = "derived"
# corpus: tags = ["method", "socket"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed <socket.socket"]
# corpus: safe_fix = "expected"
# corpus: server = "line"

import socket


class Inventory:
    def __init__(self, addr):
        self.addr = addr

    def level(self, key):
        sock = socket.create_connection(self.addr, timeout=5)
        stream = sock.makefile("rwb")
        stream.write(f"GET {key}\n".encode())
        stream.flush()
        status, _, value = stream.readline().decode().strip().partition(" ")
        if status != "OK":
            return None
        return int(value)


def run(workdir, server_addr):
    inventory = Inventory(server_addr)
    return {key: inventory.level(key) for key in ["beta", "delta"]}
