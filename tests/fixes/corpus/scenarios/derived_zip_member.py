"""Read documents out of a bundle archive."""
# corpus: shape = "derived"
# corpus: tags = ["method", "zip"]
# corpus: leaks_before = true
# corpus: leak = ["finalized:ZipFile"]
# corpus: safe_fix = "expected"

import os
import zipfile


class Bundle:
    def __init__(self, path):
        self.path = path

    def read_text(self, name):
        zf = zipfile.ZipFile(self.path)
        member = zf.open(name)
        data = member.read()
        return data.decode("utf-8")


def run(workdir, server_addr):
    path = os.path.join(workdir, "bundle.zip")
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "hello bundle")
    bundle = Bundle(path)
    result = {"readme": bundle.read_text("readme.txt")}
    try:
        bundle.read_text("missing.txt")
    except KeyError as exc:
        result["missing"] = str(exc)
    return result
