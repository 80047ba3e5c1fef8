"""Merge sorted log files into one."""
# corpus: shape = "derived"
# corpus: tags = ["function", "file", "exitstack"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file"]
# corpus: safe_fix = "expected"

import contextlib
import heapq
import os


def merge_logs(paths, out_path):
    stack = contextlib.ExitStack()
    files = [stack.enter_context(open(p, encoding="utf-8")) for p in paths]
    merged = heapq.merge(*files)
    with open(out_path, "w", encoding="utf-8") as out:
        out.writelines(merged)
    return len(files)


def run(workdir, server_addr):
    paths = []
    for name, lines in [("a.log", "1 start\n3 work\n"), ("b.log", "2 login\n4 stop\n")]:
        paths.append(os.path.join(workdir, name))
        with open(paths[-1], "w", encoding="utf-8") as f:
            f.write(lines)
    out = os.path.join(workdir, "merged.log")
    count = merge_logs(paths, out)
    with open(out, encoding="utf-8") as f:
        return {"count": count, "merged": f.read()}
