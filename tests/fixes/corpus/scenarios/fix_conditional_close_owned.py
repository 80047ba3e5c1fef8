"""Read a script from a path or from a stream the caller owns; only an owned file is closed."""
# corpus: shape = "should-fix"
# corpus: tags = ["function", "file"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file"]
# corpus: safe_fix = "expected"

import io
import os


def read_script(path, stream=None):
    if stream is None:
        stream = open(path, encoding="utf-8")
        owned = True
    else:
        owned = False
    header = stream.readline()
    if not header.startswith("#!"):
        raise ValueError("not a script")
    body = stream.read()
    if owned:
        stream.close()
    return [header.strip(), body]


def run(workdir, server_addr):
    good = os.path.join(workdir, "good.sh")
    with open(good, "w", encoding="utf-8") as f:
        f.write("#!/bin/sh\necho hi\n")
    bad = os.path.join(workdir, "bad.sh")
    with open(bad, "w", encoding="utf-8") as f:
        f.write("echo no shebang\n")
    result = {"good": read_script(good), "stream": read_script(None, io.StringIO("#!x\ny\n"))}
    try:
        read_script(bad)
    except ValueError as exc:
        result["bad"] = str(exc)
    return result
