import os
import socket


def connect(addr):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.settimeout(5)
    sock.connect(addr)
    return sock


class Pipe:
    def close(self):
        os.close(self.fd)

    def open(self, path):
        fd = os.open(path, os.O_RDONLY)
        os.set_blocking(fd, False)
        os.fstat(fd)
        self.fd = fd
