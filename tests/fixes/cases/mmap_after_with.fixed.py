import mmap


def marker_offset(path, marker):
    with open(path, "rb") as f:
        mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    try:
        offset = mapped.find(marker)
        if offset < 0:
            return None
    finally:
        mapped.close()
    return offset
