"""Summarise a log by level, with comments and continuation lines inside the block."""
# corpus: shape = "plain"
# corpus: tags = ["function", "file", "comments", "continuation"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file"]
# corpus: safe_fix = "expected"

import os


def summarise(path,
              levels=("INFO", "WARN")):
    f = open(path,  # the day's log
             encoding="utf-8")
    # skip the banner line
    banner = f.readline()
    counts = {}
    for line in f:
        level, _, _ = line.partition(" ")
        if level not in levels:
            # unknown levels end the summary early
            return None
        counts[level] = counts.get(level,
                                   0) + 1  # aligned with the bracket
    f.close()
    return {"banner": banner.strip(),
            "counts": counts}


def run(workdir, server_addr):
    good = os.path.join(workdir, "good.log")
    with open(good, "w", encoding="utf-8") as f:
        f.write("log v1\nINFO a\nWARN b\nINFO c\n")
    bad = os.path.join(workdir, "bad.log")
    with open(bad, "w", encoding="utf-8") as f:
        f.write("log v1\nDEBUG x\n")
    return [summarise(good), summarise(bad)]
