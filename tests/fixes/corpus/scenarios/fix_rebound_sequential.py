"""Compare two versions of a file: the same name is used for both."""
# corpus: shape = "should-fix"
# corpus: tags = ["function", "file"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file"]
# corpus: safe_fix = "expected"

import os


def changed_lines(old_path, new_path):
    f = open(old_path, encoding="utf-8")
    old = f.read().splitlines()
    f.close()
    f = open(new_path, encoding="utf-8")
    new = f.read().splitlines()
    return [line for line in new if line not in old]


def run(workdir, server_addr):
    old = os.path.join(workdir, "v1")
    new = os.path.join(workdir, "v2")
    with open(old, "w", encoding="utf-8") as f:
        f.write("a\nb\n")
    with open(new, "w", encoding="utf-8") as f:
        f.write("a\nc\n")
    return changed_lines(old, new)
