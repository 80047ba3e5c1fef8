"""Spool an upload to a temporary file that the caller reads and closes."""
# corpus: shape = "escapes"
# corpus: tags = ["function", "tempfile"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file"]
# corpus: safe_fix = "expected"

import tempfile


def spool(chunks, spool_dir):
    tmp = tempfile.TemporaryFile(dir=spool_dir)
    for chunk in chunks:
        tmp.write(chunk)
    tmp.seek(0)
    return tmp


def run(workdir, server_addr):
    with spool([b"abc", b"def"], workdir) as f:
        result = {"data": f.read().decode()}
    try:
        spool([b"abc", "not bytes"], workdir)
    except TypeError as exc:
        result["error"] = str(exc)
    return result
