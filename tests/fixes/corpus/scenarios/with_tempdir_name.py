"""Stage files in a temporary directory and zip them into a bundle."""
# corpus: shape = "with-unsupported"
# corpus: tags = ["function", "tempfile", "zip"]
# corpus: leaks_before = true
# corpus: leak = ["warning:Implicitly cleaning up"]
# corpus: safe_fix = "expected"

import os
import tempfile
import zipfile


def build_bundle(files, out_path, scratch):
    staging = tempfile.TemporaryDirectory(dir=scratch)
    for name, text in files.items():
        with open(os.path.join(staging.name, name), "w", encoding="utf-8") as f:
            f.write(text)
    if not files:
        return None
    with zipfile.ZipFile(out_path, "w") as bundle:
        for name in sorted(os.listdir(staging.name)):
            bundle.write(os.path.join(staging.name, name), name)
    staging.cleanup()
    return sorted(files)


def run(workdir, server_addr):
    out = os.path.join(workdir, "bundle.zip")
    return {
        "full": build_bundle({"a.txt": "A", "b.txt": "B"}, out, workdir),
        "empty": build_bundle({}, out, workdir),
    }
