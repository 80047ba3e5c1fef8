"""Read a fixed-size record through a raw descriptor; a short record raises with it open."""
# corpus: shape = "plain"
# corpus: tags = ["function", "fd"]
# corpus: leaks_before = true
# corpus: leak = ["fd:short.rec"]
# corpus: safe_fix = "expected"

import os


def read_record(path, size):
    fd = os.open(path, os.O_RDONLY)
    data = os.read(fd, size)
    if len(data) < size:
        raise ValueError(f"short record: {len(data)} bytes")
    os.close(fd)
    return data.decode()


def run(workdir, server_addr):
    result = {}
    for name, content in [("good.rec", b"12345678"), ("short.rec", b"123")]:
        path = os.path.join(workdir, name)
        with open(path, "wb") as f:
            f.write(content)
        try:
            result[name] = read_record(path, 8)
        except ValueError as exc:
            result[name] = str(exc)
    return result
