import os


def read_header(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        header = os.read(fd, 16)
        size = os.fstat(fd).st_size
    finally:
        os.close(fd)
    return header, size
