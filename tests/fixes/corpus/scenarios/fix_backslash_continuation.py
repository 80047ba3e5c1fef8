"""Sum the columns of a data file, with backslash continuations in the block."""
# corpus: shape = "should-fix"
# corpus: tags = ["function", "file", "continuation"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file"]
# corpus: safe_fix = "expected"

import os


def column_sums(path):
    f = open(path, encoding="utf-8")
    header = f.readline().strip().split(",")
    sums = [0] * len(header)
    for line in f:
        values = [int(v) for v in line.split(",")]
        sums = [a + b for a, b in \
                zip(sums, values, strict=True)]
    if not any(sums):
        return None
    label = "sums: " \
        "ok"
    f.close()
    return [label, dict(zip(header, sums, strict=True))]


def run(workdir, server_addr):
    path = os.path.join(workdir, "data.csv")
    with open(path, "w", encoding="utf-8") as f:
        f.write("a,b\n1,2\n3,4\n")
    zero = os.path.join(workdir, "zero.csv")
    with open(zero, "w", encoding="utf-8") as f:
        f.write("a\n0\n")
    return [column_sums(path), column_sums(zero)]
