def read_data(path):
    f = open(path, encoding="utf-8")
    try:
        data = f.read()
    finally:
        f.close()
    return data.splitlines()


def read_script(path, stream=None):
    if stream is None:
        stream = open(path, encoding="utf-8")
        owned = True
    else:
        owned = False
    try:
        header = stream.readline()
        if not header.startswith("#!"):
            raise ValueError("not a script")
        body = stream.read()
    finally:
        if owned:
            stream.close()
    return [header.strip(), body]
