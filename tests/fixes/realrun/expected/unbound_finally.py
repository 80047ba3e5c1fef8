"""Count lines of report files; a missing report should be reported as an OSError."""

import os


def count_lines(path):
    f = open(path, encoding="utf-8")
    try:
        return sum(1 for _ in f)
    finally:
        f.close()


def run(workdir, server_addr):
    present = os.path.join(workdir, "present.txt")
    with open(present, "w", encoding="utf-8") as out:
        out.write("a\nb\nc\n")
    counts = {}
    for name in ["present.txt", "missing.txt"]:
        try:
            counts[name] = count_lines(os.path.join(workdir, name))
        except OSError as exc:
            counts[name] = f"error: {exc.strerror}"
    return counts
