"""Format the total with the module's helper `f` after reading it."""
# corpus: shape = "naming"
# corpus: tags = ["function", "file"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file"]
# corpus: safe_fix = "expected"

import json
import os


def f(amount):
    return f"EUR {amount:.2f}"


def total(path):
    data = json.load(open(path, encoding="utf-8"))
    return f(sum(data))


def run(workdir, server_addr):
    path = os.path.join(workdir, "amounts.json")
    with open(path, "w", encoding="utf-8") as out:
        json.dump([1.5, 2.25], out)
    return total(path)
