def read_all(path):
    f = open(path, "rb")
    try:
        return f.read()
    finally:
        f.close()
