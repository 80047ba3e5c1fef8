"""Hand a memory-mapped file to a checksum callback without copying it."""
# corpus: shape = "derived"
# corpus: tags = ["function", "mmap"]
# corpus: leaks_before = true
# corpus: leak = ["finalized:mmap"]
# corpus: safe_fix = "any"

import mmap
import os
import zlib


def checksum_mapped(path, consume):
    with open(path, "rb") as f:
        mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    view = memoryview(mapped)
    return consume(view)


def run(workdir, server_addr):
    path = os.path.join(workdir, "blob.bin")
    with open(path, "wb") as f:
        f.write(b"abc" * 1000)
    return checksum_mapped(path, lambda view: [len(view), zlib.crc32(view)])
