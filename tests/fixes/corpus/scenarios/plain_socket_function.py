"""Fetch a value from the key-value service; unknown keys raise with the socket open."""
# corpus: shape = "plain"
# corpus: tags = ["function", "socket"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed <socket.socket"]
# corpus: safe_fix = "expected"
# corpus: server = "line"

import socket


def fetch(addr, key):
    sock = socket.create_connection(addr, timeout=5)
    sock.sendall(f"GET {key}\n".encode())
    reply = sock.recv(1024).decode().strip()
    status, _, value = reply.partition(" ")
    if status != "OK":
        raise KeyError(key)
    sock.close()
    return value


def run(workdir, server_addr):
    result = {}
    for key in ["alpha", "missing"]:
        try:
            result[key] = fetch(server_addr, key)
        except KeyError:
            result[key] = None
    return result
