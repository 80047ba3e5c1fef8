"""Read the first setting of an optional configuration file."""
# corpus: shape = "escapes"
# corpus: tags = ["function", "file"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file"]
# corpus: safe_fix = "expected"

import os


def open_optional(path):
    if not os.path.exists(path):
        return None
    return open(path, encoding="utf-8")


def first_setting(path):
    f = open_optional(path)
    if not f:
        return None
    line = f.readline().strip()
    if not line:
        return ""
    f.close()
    return line


def run(workdir, server_addr):
    full = os.path.join(workdir, "full.conf")
    with open(full, "w", encoding="utf-8") as f:
        f.write("color=blue\n")
    empty = os.path.join(workdir, "empty.conf")
    with open(empty, "w", encoding="utf-8") as f:
        f.write("\n")
    names = {"full": full, "empty": empty, "absent": os.path.join(workdir, "absent.conf")}
    return {name: first_setting(path) for name, path in names.items()}
