"""Close the books: the local `closing` is the closing balance."""
# corpus: shape = "naming"
# corpus: tags = ["function", "sqlite3"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed database"]
# corpus: safe_fix = "expected"

import os
import sqlite3
from contextlib import closing


def opening_balance(db):
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute("select coalesce(sum(amount), 0) from ledger").fetchone()[0]


def close_books(db, entries):
    closing = opening_balance(db) + sum(entries)
    with sqlite3.connect(db) as conn:
        conn.execute("insert into ledger values (?)", (closing,))
    return closing


def run(workdir, server_addr):
    db = os.path.join(workdir, "ledger.db")
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("create table ledger (amount real)")
        conn.execute("insert into ledger values (10)")
    return close_books(db, [5, -2.5])
