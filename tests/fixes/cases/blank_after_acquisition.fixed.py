import os
import socket


def read_header(path):
    fd = os.open(path, os.O_RDONLY)

    try:
        header = os.read(fd, 16)
        size = os.fstat(fd).st_size
    finally:
        os.close(fd)
    return header, size


def connect(addr):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)

    try:
        # a slow peer must not hang us
        sock.settimeout(5)
        sock.connect(addr)
    except BaseException:
        sock.close()
        raise
    return sock

