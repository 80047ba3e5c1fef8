"""Find the line a setting is defined on, for error messages."""
# corpus: shape = "derived"
# corpus: tags = ["function", "file"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file"]
# corpus: safe_fix = "expected"

import os


def find_line(path, key):
    f = open(path, encoding="utf-8")
    numbered = enumerate(f, start=1)
    for lineno, line in numbered:
        if line.startswith(key + "="):
            return lineno
    return None


def run(workdir, server_addr):
    path = os.path.join(workdir, "app.conf")
    with open(path, "w", encoding="utf-8") as f:
        f.write("# app\nhost=example.invalid\nport=8080\n")
    return {key: find_line(path, key) for key in ["host", "port", "user"]}
