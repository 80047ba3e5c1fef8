"""Parse the records of a file, keeping the valid ones."""
# corpus: shape = "should-fix"
# corpus: tags = ["function", "file"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file"]
# corpus: safe_fix = "expected"

import os


def parse(line):
    name, _, qty = line.strip().partition(",")
    return {"name": name, "qty": int(qty)}


def keep(line):
    return not line.startswith("#") and "," in line


def records(path):
    return [parse(line) for line in open(path, encoding="utf-8") if keep(line)]


def run(workdir, server_addr):
    path = os.path.join(workdir, "stock.txt")
    with open(path, "w", encoding="utf-8") as f:
        f.write("# stock\nbolt,3\nnut,7\n")
    return records(path)
