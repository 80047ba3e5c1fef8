import tempfile


class Body:
    def __init__(self, fileobj):
        self.fileobj = fileobj

    def close(self):
        self.fileobj.close()


def encode(fields, spool):
    body = tempfile.TemporaryFile(dir=spool)
    for name, value in fields.items():
        body.write(f"{name}={value}\n".encode())
    body.seek(0)
    return Body(body)
