"""Tail a log from an async task (CRLF line endings)."""
# corpus: shape = "plain"
# corpus: tags = ["async", "file", "crlf"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file"]
# corpus: safe_fix = "expected"

import asyncio
import os


async def tail(path, count):
    f = open(path, encoding="utf-8")
    lines = f.readlines()
    await asyncio.sleep(0)
    if len(lines) < count:
        raise ValueError(f"only {len(lines)} lines")
    f.close()
    return [line.strip() for line in lines[-count:]]


async def run(workdir, server_addr):
    path = os.path.join(workdir, "app.log")
    with open(path, "w", encoding="utf-8") as f:
        f.write("a\nb\nc\n")
    result = {"last2": await tail(path, 2)}
    try:
        await tail(path, 5)
    except ValueError as exc:
        result["last5"] = str(exc)
    return result
