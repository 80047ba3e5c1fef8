"""Read a data file; the close is skipped when the file is empty."""
# corpus: shape = "should-fix"
# corpus: tags = ["function", "file"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file"]
# corpus: safe_fix = "expected"

import os


def read_data(path):
    f = open(path, encoding="utf-8")
    data = f.read()
    if data:
        f.close()
    return data.splitlines()


def run(workdir, server_addr):
    full = os.path.join(workdir, "full.txt")
    with open(full, "w", encoding="utf-8") as f:
        f.write("a\nb\n")
    empty = os.path.join(workdir, "empty.txt")
    open(empty, "w").close()
    return [read_data(full), read_data(empty)]
