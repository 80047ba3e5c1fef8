"""Stream the active users out of the directory export."""
# corpus: shape = "derived"
# corpus: tags = ["generator", "file"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file"]
# corpus: safe_fix = "expected"

import csv
import os


def active_users(path):
    f = open(path, newline="", encoding="utf-8")
    reader = csv.DictReader(f)
    for row in reader:
        if row["active"] == "yes":
            yield row["name"]


def run(workdir, server_addr):
    path = os.path.join(workdir, "users.csv")
    with open(path, "w", encoding="utf-8") as f:
        f.write("name,active\nada,yes\nbob,no\ncy,yes\n")
    everyone = list(active_users(path))
    first = next(active_users(path))  # the caller stops early: the generator is closed
    return {"everyone": everyone, "first": first}
