"""Report the version of a package from its metadata file; `f` is the script's formatter."""
# corpus: shape = "naming"
# corpus: tags = ["main", "file"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file"]
# corpus: safe_fix = "expected"
# corpus: run = "script"

import os
import sys


def f(name, version):
    return f"{name} {version}"


def report(meta):
    name, version = meta.split()
    return f(name, version)


if __name__ == "__main__":
    path = os.path.join(sys.argv[1], "META")
    with open(path, "w", encoding="utf-8") as out:
        out.write("corpus 1.0")
    meta = open(path, encoding="utf-8").read()
    print(report(meta))
