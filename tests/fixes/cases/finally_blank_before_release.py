import os
import tempfile


def write_temp(data):
    fd, path = tempfile.mkstemp()
    os.write(fd, data)

    os.close(fd)
    return path


def append(path, data):
    fd = os.open(path, os.O_WRONLY | os.O_APPEND)

    os.write(fd, data)
    # done

    os.close(fd)
