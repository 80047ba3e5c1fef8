"""Read a compressed log; a log without a header returns early."""
# corpus: shape = "plain"
# corpus: tags = ["function", "gzip"]
# corpus: leaks_before = true
# corpus: leak = ["finalized:GzipFile"]
# corpus: safe_fix = "expected"

import gzip
import os


def log_lines(path):
    f = gzip.open(path, "rb")
    data = f.read().decode()
    if not data.startswith("LOG"):
        return None
    f.close()
    return data.splitlines()[1:]


def run(workdir, server_addr):
    good = os.path.join(workdir, "good.log.gz")
    with gzip.open(good, "wb") as f:
        f.write(b"LOG\na\nb\n")
    bad = os.path.join(workdir, "bad.log.gz")
    with gzip.open(bad, "wb") as f:
        f.write(b"junk")
    return [log_lines(good), log_lines(bad)]
