"""First line of each file, the name rebound on every iteration."""
# corpus: shape = "should-fix"
# corpus: tags = ["function", "file"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file"]
# corpus: safe_fix = "expected"

import os


def first_lines(paths):
    heads = []
    for path in paths:
        f = open(path, encoding="utf-8")
        heads.append(f.readline().strip())
    return heads


def run(workdir, server_addr):
    paths = []
    for name in ["a", "b"]:
        paths.append(os.path.join(workdir, name))
        with open(paths[-1], "w", encoding="utf-8") as f:
            f.write(f"{name} head\n{name} tail\n")
    return first_lines(paths)
