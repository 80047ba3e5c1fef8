"""Encode form fields as multipart into a temporary file owned by the body object."""
# corpus: shape = "escapes"
# corpus: tags = ["function", "tempfile"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file"]
# corpus: safe_fix = "expected"

import tempfile

BOUNDARY = "corpus-boundary"


class MultipartBody:
    def __init__(self, fileobj):
        self.fileobj = fileobj
        self.content_type = f"multipart/form-data; boundary={BOUNDARY}"

    def read(self):
        return self.fileobj.read()

    def close(self):
        self.fileobj.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def encode_multipart(fields, spool_dir):
    body = tempfile.TemporaryFile(dir=spool_dir)
    for name, value in fields.items():
        body.write(f"--{BOUNDARY}\r\n".encode())
        body.write(f'Content-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
        body.write(value.encode() + b"\r\n")
    body.write(f"--{BOUNDARY}--\r\n".encode())
    body.seek(0)
    return MultipartBody(body)


def run(workdir, server_addr):
    with encode_multipart({"name": "ada", "lang": "en"}, workdir) as body:
        result = {"size": len(body.read()), "type": body.content_type}
    try:
        encode_multipart({"name": "ada", "avatar": None}, workdir)
    except AttributeError as exc:
        result["error"] = str(exc)
    return result
