"""An archive reader for bz2 snapshots; a bad magic line raises with the file open."""
# corpus: shape = "plain"
# corpus: tags = ["method", "bz2"]
# corpus: leaks_before = true
# corpus: leak = ["finalized:BZ2File"]
# corpus: safe_fix = "expected"

import bz2
import os


class Snapshot:
    def __init__(self, path):
        self.path = path

    def entries(self):
        f = bz2.BZ2File(self.path)
        magic = f.readline()
        if magic != b"SNAP\n":
            raise ValueError("not a snapshot")
        entries = f.read().decode().split()
        f.close()
        return entries


def run(workdir, server_addr):
    good = os.path.join(workdir, "good.bz2")
    with bz2.open(good, "wb") as f:
        f.write(b"SNAP\nx y\n")
    bad = os.path.join(workdir, "bad.bz2")
    with bz2.open(bad, "wb") as f:
        f.write(b"nope\n")
    result = {"good": Snapshot(good).entries()}
    try:
        Snapshot(bad).entries()
    except ValueError as exc:
        result["bad"] = str(exc)
    return result
