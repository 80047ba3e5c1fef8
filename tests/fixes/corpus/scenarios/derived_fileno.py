"""Checksum a file through its descriptor, as the backup tool does."""
# corpus: shape = "derived"
# corpus: tags = ["function", "file"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file"]
# corpus: safe_fix = "expected"

import os
import zlib


def checksum(path):
    f = open(path, "rb")
    fd = f.fileno()
    size = os.fstat(fd).st_size
    data = os.read(fd, size)
    return {"size": size, "crc": zlib.crc32(data)}


def run(workdir, server_addr):
    path = os.path.join(workdir, "backup.bin")
    with open(path, "wb") as f:
        f.write(b"0123456789" * 10)
    return checksum(path)
