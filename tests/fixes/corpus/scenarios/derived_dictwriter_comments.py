"""Write the payroll hours report."""
# corpus: shape = "derived"
# corpus: tags = ["function", "file", "comments"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file"]
# corpus: safe_fix = "expected"

import csv
import os


def write_hours(path, people):
    report = open(path, "w", newline="", encoding="utf-8")  # overwritten every week
    # the columns the payroll import expects, in this order
    writer = csv.DictWriter(report, fieldnames=["name", "hours"])
    writer.writeheader()
    total = 0
    for person in people:
        # hours are whole numbers in the time sheets
        writer.writerow(person)  # one line per person
        total += person["hours"]
    return total


def run(workdir, server_addr):
    path = os.path.join(workdir, "hours.csv")
    total = write_hours(path, [{"name": "ada", "hours": 38}, {"name": "cy", "hours": 20}])
    try:
        write_hours(path, [{"name": "bob", "hours": 1, "bonus": 3}])
        error = None
    except ValueError as exc:
        error = str(exc)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return {"total": total, "error": error, "text": text}
