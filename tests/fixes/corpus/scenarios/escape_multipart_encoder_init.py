"""A multipart encoder that writes its body into a temporary file when it is created."""
# corpus: shape = "escapes"
# corpus: tags = ["method", "tempfile"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file"]
# corpus: safe_fix = "expected"

import tempfile


class MultipartEncoder:
    boundary = "corpus-boundary"

    def __init__(self, fields, spool_dir):
        self.body = tempfile.TemporaryFile(dir=spool_dir)
        for name, value in fields.items():
            self.body.write(f"--{self.boundary}\r\n".encode())
            self.body.write(f'name="{name}"\r\n\r\n'.encode() + value.encode() + b"\r\n")
        self.body.write(f"--{self.boundary}--\r\n".encode())
        self.length = self.body.tell()
        self.body.seek(0)

    def read(self, size=-1):
        return self.body.read(size)

    def close(self):
        self.body.close()


def run(workdir, server_addr):
    encoder = MultipartEncoder({"user": "ada"}, workdir)
    try:
        result = {"length": encoder.length, "head": encoder.read(17).decode()}
    finally:
        encoder.close()
    try:
        MultipartEncoder({"user": "ada", "photo": b"\x89PNG"}, workdir)
    except AttributeError as exc:
        result["error"] = str(exc)
    return result
