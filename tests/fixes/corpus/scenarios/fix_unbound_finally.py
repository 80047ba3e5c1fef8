"""Count the lines of files; a missing file hits an unbound name in `finally`."""
# corpus: shape = "should-fix"
# corpus: tags = ["function", "file"]
# corpus: leaks_before = false
# corpus: safe_fix = "expected"

import os


def count_lines(path):
    try:
        f = open(path, encoding="utf-8")
        return len(f.readlines())
    finally:
        f.close()


def run(workdir, server_addr):
    path = os.path.join(workdir, "present.txt")
    with open(path, "w", encoding="utf-8") as f:
        f.write("1\n2\n")
    result = {"present": count_lines(path)}
    try:
        count_lines(os.path.join(workdir, "missing.txt"))
    except Exception:  # UnboundLocalError before the fix, FileNotFoundError after it
        result["missing"] = "failed"
    return result
