"""A command-line client whose main block asks the service over asyncio streams."""
# corpus: shape = "plain"
# corpus: tags = ["main", "stream", "socket", "async"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed"]
# corpus: safe_fix = "expected"
# corpus: server = "line"
# corpus: run = "script"

import asyncio
import sys


async def ask(host, port, key):
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(f"GET {key}\n".encode())
    await writer.drain()
    reply = (await reader.readline()).decode().strip()
    if not reply.startswith("OK"):
        return None
    writer.close()
    await writer.wait_closed()
    return reply.split()[1]


if __name__ == "__main__":
    host, _, port = sys.argv[2].partition(":")
    for key in ["beta", "nope"]:
        print(key, asyncio.run(ask(host, int(port), key)))
