"""Add up an order; `with` on the connection commits but does not close it."""
# corpus: shape = "plain"
# corpus: tags = ["function", "sqlite3"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed database"]
# corpus: safe_fix = "expected"

import os
import sqlite3


def order_total(db, lines):
    with sqlite3.connect(db) as conn:
        conn.execute("create table if not exists lines (item text, qty integer, price real)")
        for item, qty, price in lines:
            if qty <= 0:
                raise ValueError(f"bad quantity for {item}")
            conn.execute("insert into lines values (?, ?, ?)", (item, qty, price))
        return conn.execute("select sum(qty * price) from lines").fetchone()[0]


def run(workdir, server_addr):
    db = os.path.join(workdir, "order.db")
    result = {"total": order_total(db, [("bolt", 4, 0.5), ("nut", 10, 0.1)])}
    try:
        order_total(db, [("screw", 0, 0.2)])
    except ValueError as exc:
        result["error"] = str(exc)
    return result
