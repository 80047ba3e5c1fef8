"""Round-trip a message through a socket pair, as the worker handshake does."""
# corpus: shape = "with-unsupported"
# corpus: tags = ["function", "socket"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed <socket.socket"]
# corpus: safe_fix = "expected"

import socket


def handshake(token):
    parent, child = socket.socketpair()
    parent.sendall(token.encode())
    echoed = child.recv(1024).decode()
    if echoed != "hello":
        raise ConnectionError(f"unexpected token {echoed!r}")
    parent.close()
    child.close()
    return echoed


def run(workdir, server_addr):
    result = {"ok": handshake("hello")}
    try:
        handshake("bye")
    except ConnectionError as exc:
        result["bad"] = str(exc)
    return result
