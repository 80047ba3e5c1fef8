"""Format a report with the module's formatter `f`, called from a nested lambda."""
# corpus: shape = "naming"
# corpus: tags = ["function", "file"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file"]
# corpus: safe_fix = "expected"

import json
import os


def f(amount):
    return f"{amount:.1f}"


def report(path):
    data = json.load(open(path, encoding="utf-8"))
    fmt = lambda value: f(value)  # noqa: E731
    return [fmt(v) for v in data["values"]]


def run(workdir, server_addr):
    path = os.path.join(workdir, "values.json")
    with open(path, "w", encoding="utf-8") as out:
        json.dump({"values": [1, 2.25]}, out)
    return report(path)
