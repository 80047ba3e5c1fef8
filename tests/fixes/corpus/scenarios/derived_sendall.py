"""Look up a key in the inventory service through bound socket methods."""
# corpus: shape = "derived"
# corpus: tags = ["function", "socket"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed <socket.socket"]
# corpus: safe_fix = "expected"
# corpus: server = "line"

import socket


def lookup(addr, key):
    sock = socket.create_connection(addr, timeout=5)
    send = sock.sendall
    recv = sock.recv
    send(f"GET {key}\n".encode())
    reply = b""
    while not reply.endswith(b"\n"):
        chunk = recv(1024)
        if not chunk:
            break
        reply += chunk
    status, _, value = reply.decode().strip().partition(" ")
    if status != "OK":
        raise KeyError(key)
    return value


def run(workdir, server_addr):
    found = {}
    for key in ["alpha", "nope", "gamma"]:
        try:
            found[key] = lookup(server_addr, key)
        except KeyError:
            found[key] = None
    return found
