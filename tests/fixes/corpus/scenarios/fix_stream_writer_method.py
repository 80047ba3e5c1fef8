"""An async client object that opens one stream per request."""
# corpus: shape = "should-fix"
# corpus: tags = ["async", "method", "socket", "stream"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed"]
# corpus: safe_fix = "expected"
# corpus: server = "line"

import asyncio


class AsyncInventory:
    def __init__(self, addr):
        self.addr = addr

    async def level(self, key):
        reader, writer = await asyncio.open_connection(*self.addr)
        writer.write(f"GET {key}\n".encode())
        await writer.drain()
        status, _, value = (await reader.readline()).decode().strip().partition(" ")
        if status != "OK":
            raise KeyError(key)
        writer.close()
        await writer.wait_closed()
        return int(value)


async def run(workdir, server_addr):
    inventory = AsyncInventory(server_addr)
    result = {"beta": await inventory.level("beta")}
    try:
        await inventory.level("nope")
    except KeyError as exc:
        result["nope"] = str(exc)
    return result
