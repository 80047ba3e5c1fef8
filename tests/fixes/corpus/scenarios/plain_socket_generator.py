"""Stream the values of several keys, one connection per key; consumers may stop early."""
# corpus: shape = "plain"
# corpus: tags = ["generator", "socket"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed <socket.socket"]
# corpus: safe_fix = "expected"
# corpus: server = "line"

import socket


def values(addr, keys):
    for key in keys:
        sock = socket.create_connection(addr, timeout=5)
        sock.sendall(f"GET {key}\n".encode())
        status, _, value = sock.recv(1024).decode().strip().partition(" ")
        yield value if status == "OK" else None
        sock.close()


def run(workdir, server_addr):
    everything = list(values(server_addr, ["alpha", "beta"]))
    first = next(values(server_addr, ["gamma", "alpha"]))  # the generator is closed at yield
    return {"everything": everything, "first": first}
