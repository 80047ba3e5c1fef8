"""List an archive's members; an archive without a manifest returns early."""
# corpus: shape = "plain"
# corpus: tags = ["function", "zip"]
# corpus: leaks_before = true
# corpus: leak = ["finalized:ZipFile"]
# corpus: safe_fix = "expected"

import os
import zipfile


def members(path):
    archive = zipfile.ZipFile(path)
    names = archive.namelist()
    if "MANIFEST" not in names:
        return None
    archive.close()
    return sorted(names)


def make(path, names):
    with zipfile.ZipFile(path, "w") as archive:
        for name in names:
            archive.writestr(name, name)


def run(workdir, server_addr):
    good = os.path.join(workdir, "good.zip")
    make(good, ["MANIFEST", "a.txt"])
    bare = os.path.join(workdir, "bare.zip")
    make(bare, ["a.txt"])
    return [members(good), members(bare)]
