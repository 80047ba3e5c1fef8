"""Serve a static page from an async handler."""
# corpus: shape = "inline-open"
# corpus: tags = ["async", "file"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file"]
# corpus: safe_fix = "expected"

import asyncio
import os


async def static_page(root, name):
    await asyncio.sleep(0)
    return open(os.path.join(root, name), encoding="utf-8").read()


async def run(workdir, server_addr):
    with open(os.path.join(workdir, "index.html"), "w", encoding="utf-8") as f:
        f.write("<p>hi</p>")
    result = {"index": await static_page(workdir, "index.html")}
    try:
        await static_page(workdir, "missing.html")
    except FileNotFoundError as exc:
        result["missing"] = exc.strerror
    return result
