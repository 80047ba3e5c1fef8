"""Fetch a value from the optional inventory service (not configured: no value)."""
# corpus: shape = "escapes"
# corpus: tags = ["function", "socket"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed <socket.socket"]
# corpus: safe_fix = "expected"
# corpus: server = "line"

import socket


def connect_if_configured(addr):
    if addr is None:
        return None
    return socket.create_connection(addr, timeout=5)


def fetch(addr, key):
    s = connect_if_configured(addr)
    if not s:
        return None
    s.sendall(f"GET {key}\n".encode())
    reply = s.recv(1024).decode().strip()
    status, _, value = reply.partition(" ")
    if status != "OK":
        raise KeyError(key)
    s.close()
    return value


def run(workdir, server_addr):
    result = {"unconfigured": fetch(None, "alpha"), "alpha": fetch(server_addr, "alpha")}
    try:
        fetch(server_addr, "omega")
    except KeyError as exc:
        result["omega"] = str(exc)
    return result
