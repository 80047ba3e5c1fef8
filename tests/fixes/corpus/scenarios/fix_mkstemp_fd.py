"""Write a payload to a fresh temporary file and return its path."""
# corpus: shape = "should-fix"
# corpus: tags = ["function", "tempfile", "fd"]
# corpus: leaks_before = true
# corpus: leak = ["fd:"]
# corpus: safe_fix = "expected"

import os
import tempfile


def stash(payload, scratch):
    fd, path = tempfile.mkstemp(suffix=".bin", dir=scratch)
    os.write(fd, payload.encode())
    os.close(fd)
    return os.path.basename(path).endswith(".bin")


def run(workdir, server_addr):
    result = {"ok": stash("data", workdir)}
    try:
        stash(None, workdir)
    except AttributeError as exc:
        result["error"] = str(exc)
    return result
