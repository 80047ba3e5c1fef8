"""Join the key and value columns that the legacy tool writes to two files."""
# corpus: shape = "derived"
# corpus: tags = ["function", "file"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file"]
# corpus: safe_fix = "expected"

import os


def pair_up(keys_path, values_path):
    keys = open(keys_path, encoding="utf-8")
    values = open(values_path, encoding="utf-8")
    pairs = zip(keys, values, strict=True)
    return {k.strip(): v.strip() for k, v in pairs}


def run(workdir, server_addr):
    keys = os.path.join(workdir, "keys.txt")
    values = os.path.join(workdir, "values.txt")
    with open(keys, "w", encoding="utf-8") as f:
        f.write("host\nport\n")
    with open(values, "w", encoding="utf-8") as f:
        f.write("example.invalid\n8080\n")
    return pair_up(keys, values)
