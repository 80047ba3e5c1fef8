"""Ask the service with a non-blocking socket driven by the event loop."""
# corpus: shape = "plain"
# corpus: tags = ["async", "socket"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed <socket.socket"]
# corpus: safe_fix = "expected"
# corpus: server = "line"

import asyncio
import socket


async def ask(addr, key):
    loop = asyncio.get_running_loop()
    sock = socket.socket()
    sock.setblocking(False)
    await loop.sock_connect(sock, addr)
    await loop.sock_sendall(sock, f"GET {key}\n".encode())
    reply = (await loop.sock_recv(sock, 1024)).decode().strip()
    if not reply.startswith("OK"):
        raise LookupError(key)
    sock.close()
    return reply.split()[1]


async def run(workdir, server_addr):
    result = {"beta": await ask(server_addr, "beta")}
    try:
        await ask(server_addr, "nope")
    except LookupError as exc:
        result["nope"] = str(exc)
    return result
