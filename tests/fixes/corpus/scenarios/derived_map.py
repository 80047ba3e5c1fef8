"""Read the allow-list of hosts, skipping comments and blank lines."""
# corpus: shape = "derived"
# corpus: tags = ["function", "file"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file"]
# corpus: safe_fix = "expected"

import os


def read_hosts(path):
    f = open(path, encoding="utf-8")
    stripped = map(str.strip, f)
    hosts = [h for h in stripped if h and not h.startswith("#")]
    return hosts


def run(workdir, server_addr):
    path = os.path.join(workdir, "hosts.allow")
    with open(path, "w", encoding="utf-8") as f:
        f.write("# trusted\nalpha.example\n\n  beta.example  \n")
    return read_hosts(path)
