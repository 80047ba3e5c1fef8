"""A report tool whose main block queries sqlite (CRLF line endings)."""
# corpus: shape = "plain"
# corpus: tags = ["main", "sqlite3", "crlf"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed database"]
# corpus: safe_fix = "expected"
# corpus: run = "script"

import os
import sqlite3
import sys


def setup(path):
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("create table sales (amount real)")
        conn.executemany("insert into sales values (?)", [(10.0,), (5.5,)])
    conn.close()


if __name__ == "__main__":
    path = os.path.join(sys.argv[1], "sales.db")
    setup(path)
    conn = sqlite3.connect(path)
    total = conn.execute("select sum(amount) from sales").fetchone()[0]
    print("total:", total)
