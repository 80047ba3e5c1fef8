"""A release script that packs a tarball at module scope and never closes it."""
# corpus: shape = "plain"
# corpus: tags = ["script", "tar"]
# corpus: leaks_before = true
# corpus: leak = ["finalized:TarFile"]
# corpus: safe_fix = "expected"
# corpus: run = "script"

import io
import os
import sys
import tarfile

release = tarfile.open(os.path.join(sys.argv[1], "release.tar"), "w")
for name in ["README", "setup.cfg"]:
    info = tarfile.TarInfo(name)
    info.size = len(name)
    release.addfile(info, io.BytesIO(name.encode()))
print("packed:", release.getnames())
