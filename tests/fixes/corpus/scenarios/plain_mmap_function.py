"""Find a marker in a memory-mapped file; no marker returns early."""
# corpus: shape = "plain"
# corpus: tags = ["function", "mmap"]
# corpus: leaks_before = true
# corpus: leak = ["finalized:mmap"]
# corpus: safe_fix = "expected"

import mmap
import os


def marker_offset(path, marker):
    with open(path, "rb") as f:
        mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    offset = mapped.find(marker)
    if offset < 0:
        return None
    mapped.close()
    return offset


def run(workdir, server_addr):
    path = os.path.join(workdir, "blob.bin")
    with open(path, "wb") as f:
        f.write(b"....MARK....")
    return [marker_offset(path, b"MARK"), marker_offset(path, b"NONE")]
