import asyncio


async def lookup(addr, key):
    reader, writer = await asyncio.open_connection(*addr)
    try:
        writer.write(f"GET {key}\n".encode())
        await writer.drain()
        status, _, value = (await reader.readline()).decode().partition(" ")
        if status != "OK":
            return None
    finally:
        writer.close()
        await writer.wait_closed()
    return value


async def send(addr, payload):
    _, writer = await asyncio.open_connection(*addr)
    try:
        writer.write(payload)
        await writer.drain()
    finally:
        writer.close()
    return len(payload)
