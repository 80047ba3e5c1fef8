"""Read the first line of a file, or None when the file is empty."""
# corpus: shape = "plain"
# corpus: tags = ["function", "file"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file"]
# corpus: safe_fix = "expected"

import os


def first_line(path):
    f = open(path, encoding="utf-8")
    line = f.readline()
    if not line:
        return None
    f.close()
    return line.strip()


def run(workdir, server_addr):
    full = os.path.join(workdir, "full.txt")
    with open(full, "w", encoding="utf-8") as f:
        f.write("hello\nworld\n")
    empty = os.path.join(workdir, "empty.txt")
    open(empty, "w").close()
    return [first_line(full), first_line(empty)]
