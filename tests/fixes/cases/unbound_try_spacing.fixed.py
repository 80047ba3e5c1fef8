import os


def read_header(path):
    fd = os.open(path, os.O_RDONLY)

    try:
        return os.read(fd, 16)
    finally:
        os.close(fd)


def read_config(path):
    # the config is small
    f = open(path,
             encoding="utf-8")
    try:
        return f.read()
    finally:
        f.close()


def read_body(path):
    f = open(path, "rb")
    try:
        f.seek(16)
        return f.read()
    finally:
        f.close()
