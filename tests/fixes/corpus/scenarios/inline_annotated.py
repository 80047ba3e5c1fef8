"""Parse a key=value configuration file."""
# corpus: shape = "inline-open"
# corpus: tags = ["function", "file"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file"]
# corpus: safe_fix = "expected"

import os
from typing import IO


def read_config(path):
    f: IO[str] = open(path, encoding="utf-8")
    pairs = [line.strip().split("=", 1) for line in f if "=" in line]
    return dict(pairs)


def run(workdir, server_addr):
    path = os.path.join(workdir, "app.conf")
    with open(path, "w", encoding="utf-8") as f:
        f.write("host=example.invalid\n# comment\nport=8080\n")
    return read_config(path)
