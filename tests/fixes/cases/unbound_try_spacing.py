import os


def read_header(path):
    try:
        fd = os.open(path, os.O_RDONLY)

        return os.read(fd, 16)
    finally:
        os.close(fd)


def read_config(path):
    try:
        # the config is small
        f = open(path,
                 encoding="utf-8")
        return f.read()
    finally:
        f.close()


def read_body(path):
    try:

        f = open(path, "rb")
        f.seek(16)
        return f.read()
    finally:
        f.close()
