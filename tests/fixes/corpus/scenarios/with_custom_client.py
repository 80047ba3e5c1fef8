"""An inventory client class that has close() but no `with` support."""
# corpus: shape = "with-unsupported"
# corpus: tags = ["function", "socket"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed <socket.socket"]
# corpus: safe_fix = "expected"
# corpus: server = "line"

import socket


class InventoryClient:
    def __init__(self, addr):
        self.addr = addr
        self.sock = socket.create_connection(addr, timeout=5)

    def get(self, key):
        self.sock.sendall(f"GET {key}\n".encode())
        status, _, value = self.sock.recv(1024).decode().strip().partition(" ")
        if status != "OK":
            raise KeyError(key)
        return value

    def close(self):
        self.sock.close()


def stock_level(addr, key):
    client = InventoryClient(addr)
    level = client.get(key)
    client.close()
    return level


def run(workdir, server_addr):
    result = {"alpha": stock_level(server_addr, "alpha")}
    try:
        stock_level(server_addr, "omega")
    except KeyError as exc:
        result["omega"] = str(exc)
    return result
