"""Save an upload chunk by chunk to a temporary file from an async handler."""
# corpus: shape = "should-fix"
# corpus: tags = ["async", "tempfile", "fd"]
# corpus: leaks_before = true
# corpus: leak = ["fd:"]
# corpus: safe_fix = "expected"

import asyncio
import os
import tempfile


async def save_upload(chunks, scratch):
    fd, _ = tempfile.mkstemp(dir=scratch)
    written = 0
    for chunk in chunks:
        await asyncio.sleep(0)
        written += os.write(fd, chunk)
    os.close(fd)
    return written


async def run(workdir, server_addr):
    result = {"written": await save_upload([b"ab", b"cd"], workdir)}
    try:
        await save_upload([b"ab", "cd"], workdir)
    except TypeError as exc:
        result["error"] = str(exc)
    return result
