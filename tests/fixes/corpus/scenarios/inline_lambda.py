"""Sort files by their contents with a key that reads each one."""
# corpus: shape = "inline-open"
# corpus: tags = ["function", "file"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file"]
# corpus: safe_fix = "none"

import os


def by_content(paths):
    return sorted(paths, key=lambda p: open(p, encoding="utf-8").read())


def run(workdir, server_addr):
    paths = []
    for name, text in [("x", "b"), ("y", "a"), ("z", "c")]:
        paths.append(os.path.join(workdir, name))
        with open(paths[-1], "w", encoding="utf-8") as f:
            f.write(text)
    return [os.path.basename(p) for p in by_content(paths)]
