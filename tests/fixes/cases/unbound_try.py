def read_all(path):
    try:
        f = open(path, "rb")
        return f.read()
    finally:
        f.close()
