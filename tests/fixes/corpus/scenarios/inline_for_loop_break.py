"""The header block of a mail file: lines up to the first blank one."""
# corpus: shape = "inline-open"
# corpus: tags = ["function", "file"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file"]
# corpus: safe_fix = "expected"

import os


def headers(path):
    found = {}
    for line in open(path, encoding="utf-8"):
        if not line.strip():
            break
        name, _, value = line.partition(":")
        found[name.strip().lower()] = value.strip()
    return found


def run(workdir, server_addr):
    path = os.path.join(workdir, "mail.eml")
    with open(path, "w", encoding="utf-8") as f:
        f.write("From: ada\nSubject: hi\n\nbody: not a header\n")
    return headers(path)
