"""Ask the inventory service with asyncio streams."""
# corpus: shape = "should-fix"
# corpus: tags = ["async", "socket", "stream"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed"]
# corpus: safe_fix = "expected"
# corpus: server = "line"

import asyncio


async def lookup(addr, key):
    reader, writer = await asyncio.open_connection(*addr)
    writer.write(f"GET {key}\n".encode())
    await writer.drain()
    status, _, value = (await reader.readline()).decode().strip().partition(" ")
    if status != "OK":
        return None
    writer.close()
    await writer.wait_closed()
    return value


async def run(workdir, server_addr):
    return {key: await lookup(server_addr, key) for key in ["alpha", "nope"]}
