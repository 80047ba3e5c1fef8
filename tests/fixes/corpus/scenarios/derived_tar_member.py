"""Read the manifest out of a release tarball."""
# corpus: shape = "derived"
# corpus: tags = ["function", "tar"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file", "finalized:TarFile"]
# corpus: safe_fix = "expected"

import io
import json
import os
import tarfile


def read_manifest(archive):
    tar = tarfile.open(archive)
    member = tar.extractfile("manifest.json")
    if member is None:
        raise ValueError("manifest.json is not a file")
    return json.load(member)


def make_release(path):
    data = json.dumps({"name": "demo", "version": "1.2"}).encode()
    with tarfile.open(path, "w") as tar:
        info = tarfile.TarInfo("manifest.json")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))


def run(workdir, server_addr):
    path = os.path.join(workdir, "release.tar")
    make_release(path)
    return read_manifest(path)
