"""Compress an export from an async job (CRLF line endings)."""
# corpus: shape = "plain"
# corpus: tags = ["async", "gzip", "crlf"]
# corpus: leaks_before = true
# corpus: leak = ["finalized:GzipFile"]
# corpus: safe_fix = "expected"

import asyncio
import gc
import gzip
import os


async def compress(path, rows):
    out = gzip.GzipFile(path, "wb")
    for row in rows:
        await asyncio.sleep(0)
        out.write(row.encode() + b"\n")
    return len(rows)


async def run(workdir, server_addr):
    path = os.path.join(workdir, "export.gz")
    count = await compress(path, ["a", "b"])
    gc.collect()  # the export is read back later, after the service has collected garbage
    with gzip.open(path, "rb") as f:
        return {"count": count, "data": f.read().decode()}
