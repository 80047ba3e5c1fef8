"""Order totals from sqlite; contextlib is imported only inside another function."""
# corpus: shape = "naming"
# corpus: tags = ["function", "sqlite3"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed database"]
# corpus: safe_fix = "expected"

import os
import sqlite3


def remove_stale(path):
    import contextlib

    with contextlib.suppress(FileNotFoundError):
        os.remove(path)


def order_total(db):
    with sqlite3.connect(db) as conn:
        conn.execute("create table if not exists orders (qty integer)")
        conn.executemany("insert into orders values (?)", [(2,), (3,)])
        return conn.execute("select sum(qty) from orders").fetchone()[0]


def run(workdir, server_addr):
    db = os.path.join(workdir, "orders.db")
    remove_stale(db)
    return order_total(db)
