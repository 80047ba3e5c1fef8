"""Read the header of record files through a raw descriptor; bad headers raise."""

import os
import struct

MAGIC = b"REC1"


def read_header(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        header = os.read(fd, 8)
        magic, count = struct.unpack("<4sI", header)  # struct.error when the file is short
        if magic != MAGIC:
            raise ValueError(f"{os.path.basename(path)}: bad magic {magic!r}")
    finally:
        os.close(fd)
    return count


def run(workdir, server_addr):
    files = {
        "good.rec": MAGIC + struct.pack("<I", 7),
        "short.rec": b"RE",
        "other.rec": b"ZIP!" + struct.pack("<I", 1),
    }
    counts = {}
    for name, content in files.items():
        path = os.path.join(workdir, name)
        with open(path, "wb") as out:
            out.write(content)
        try:
            counts[name] = read_header(path)
        except (struct.error, ValueError) as exc:
            counts[name] = type(exc).__name__
    return counts
