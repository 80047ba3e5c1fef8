import os
import tempfile


def write_temp(data):
    fd, path = tempfile.mkstemp()
    try:
        os.write(fd, data)
    finally:
        os.close(fd)
    return path


def append(path, data):
    fd = os.open(path, os.O_WRONLY | os.O_APPEND)

    try:
        os.write(fd, data)
        # done
    finally:
        os.close(fd)
