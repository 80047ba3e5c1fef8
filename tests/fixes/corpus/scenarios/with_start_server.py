"""An echo service started for one exchange (an empty message needs no server)."""
# corpus: shape = "with-unsupported"
# corpus: tags = ["async", "socket", "stream"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed"]
# corpus: safe_fix = "expected"

import asyncio


async def shout(reader, writer):
    line = await reader.readline()
    writer.write(line.upper())
    await writer.drain()
    writer.close()
    await writer.wait_closed()


async def ask(port, message):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(message + b"\n")
        await writer.drain()
        return (await reader.readline()).strip()
    finally:
        writer.close()
        await writer.wait_closed()


async def echo_once(message):
    server = await asyncio.start_server(shout, "127.0.0.1", 0)
    if not message:
        return None
    port = server.sockets[0].getsockname()[1]
    reply = await ask(port, message)
    server.close()
    await server.wait_closed()
    return reply.decode()


async def run(workdir, server_addr):
    return [await echo_once(b"hello"), await echo_once(b"")]
