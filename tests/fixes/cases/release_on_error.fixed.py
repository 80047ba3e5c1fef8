import os
import socket


def connect(addr):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.settimeout(5)
        sock.connect(addr)
    except BaseException:
        sock.close()
        raise
    return sock


class Pipe:
    def close(self):
        os.close(self.fd)

    def open(self, path):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.set_blocking(fd, False)
            os.fstat(fd)
        except BaseException:
            os.close(fd)
            raise
        self.fd = fd
