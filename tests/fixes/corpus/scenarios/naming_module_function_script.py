"""Print the net total of the day: a script whose helper `f` formats amounts."""
# corpus: shape = "naming"
# corpus: tags = ["script", "file"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file"]
# corpus: safe_fix = "expected"
# corpus: run = "script"

import json
import os
import sys


def f(amount):
    return f"{amount:,.2f}"


workdir = sys.argv[1]
path = os.path.join(workdir, "totals.json")
with open(path, "w", encoding="utf-8") as out:
    json.dump({"net": 12345.5}, out)

totals = json.load(open(path, encoding="utf-8"))
print("net:", f(totals["net"]))
