"""Check that the service knows every key (CRLF line endings)."""
# corpus: shape = "plain"
# corpus: tags = ["function", "socket", "crlf"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed <socket.socket"]
# corpus: safe_fix = "expected"
# corpus: server = "line"

import socket


def known(addr, key):
    sock = socket.create_connection(addr, timeout=5)
    sock.sendall(f"GET {key}\n".encode())
    ok = sock.recv(1024).startswith(b"OK")
    if not ok:
        return False
    sock.close()
    return True


def run(workdir, server_addr):
    return {key: known(server_addr, key) for key in ["alpha", "zeta"]}
