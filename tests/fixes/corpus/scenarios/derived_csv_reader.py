"""Import stock levels from the warehouse's CSV export."""
# corpus: shape = "derived"
# corpus: tags = ["method", "file"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file"]
# corpus: safe_fix = "expected"

import csv
import os


class StockImporter:
    def __init__(self):
        self.columns = []

    def load(self, path):
        f = open(path, newline="", encoding="utf-8")
        rows = csv.reader(f)
        header = next(rows, None)
        if header is None:
            raise ValueError(f"{os.path.basename(path)} is empty")
        self.columns = header
        return [dict(zip(header, row, strict=True)) for row in rows]


def run(workdir, server_addr):
    stock = os.path.join(workdir, "stock.csv")
    with open(stock, "w", encoding="utf-8") as f:
        f.write("sku,level\nbolt,40\nnut,12\n")
    empty = os.path.join(workdir, "empty.csv")
    open(empty, "w").close()
    importer = StockImporter()
    result = {"stock": importer.load(stock), "columns": importer.columns}
    try:
        importer.load(empty)
    except ValueError as exc:
        result["empty"] = str(exc)
    return result
