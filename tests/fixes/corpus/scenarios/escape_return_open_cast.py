"""Open a text file typed as IO[str]: a factory, the caller closes what it returns."""
# corpus: shape = "escapes"
# corpus: tags = ["function", "file"]
# corpus: leaks_before = false
# corpus: safe_fix = "none"

import os
import typing


def open_text(path):
    return typing.cast(typing.IO[str], open(path, encoding="utf-8"))


def run(workdir, server_addr):
    path = os.path.join(workdir, "notes.txt")
    with open(path, "w", encoding="utf-8") as f:
        f.write("one\ntwo\n")
    with open_text(path) as f:
        return f.read().splitlines()
