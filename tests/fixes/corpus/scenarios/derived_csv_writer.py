"""Export invoice lines as CSV for the accounting system."""
# corpus: shape = "derived"
# corpus: tags = ["function", "file"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file"]
# corpus: safe_fix = "expected"

import csv
import os


def export_invoice(lines, path):
    out = open(path, "w", newline="", encoding="utf-8")
    writer = csv.writer(out)
    writer.writerow(["sku", "qty", "price"])
    for sku, qty, price in lines:
        if qty <= 0:
            raise ValueError(f"bad quantity for {sku}")
        writer.writerow([sku, qty, f"{price:.2f}"])
    return len(lines)


def run(workdir, server_addr):
    good = os.path.join(workdir, "invoice-1.csv")
    count = export_invoice([("bolt", 3, 0.5), ("nut", 10, 0.05)], good)
    bad = os.path.join(workdir, "invoice-2.csv")
    try:
        export_invoice([("bolt", 1, 0.5), ("nut", 0, 0.05)], bad)
        error = None
    except ValueError as exc:
        error = str(exc)
    with open(good, encoding="utf-8") as f:
        text = f.read()
    with open(bad, encoding="utf-8") as f:
        partial = f.read()
    return {"count": count, "text": text, "error": error, "partial": partial}
