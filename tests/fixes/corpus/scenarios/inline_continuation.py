"""Load a manifest whose open() call spans several lines."""
# corpus: shape = "inline-open"
# corpus: tags = ["function", "file", "continuation", "comments"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file"]
# corpus: safe_fix = "expected"

import json
import os


def load_manifest(root):
    manifest = json.load(
        open(os.path.join(root, "manifest.json"),  # written by the build
             encoding="utf-8")
    )
    return sorted(manifest["files"])


def run(workdir, server_addr):
    with open(os.path.join(workdir, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump({"files": ["b.txt", "a.txt"]}, f)
    return load_manifest(workdir)
