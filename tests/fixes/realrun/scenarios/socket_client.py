"""A tiny key-value client: one request per connection, unknown keys raise KeyError."""

import socket


def fetch(addr, key):
    sock = socket.create_connection(addr, timeout=5)
    sock.sendall(f"GET {key}\n".encode())
    reply = b""
    while not reply.endswith(b"\n"):
        chunk = sock.recv(1024)
        if not chunk:
            break
        reply += chunk
    status, _, value = reply.decode().strip().partition(" ")
    if status != "OK":
        raise KeyError(key)
    sock.close()
    return value


def run(workdir, server_addr):
    found = {}
    for key in ["alpha", "missing", "beta"]:
        try:
            found[key] = fetch(server_addr, key)
        except KeyError:
            found[key] = None
    return found
