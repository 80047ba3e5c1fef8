"""Shop hours: the module's own `closing()` says when the shop closes."""
# corpus: shape = "naming"
# corpus: tags = ["function", "sqlite3"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed database"]
# corpus: safe_fix = "expected"

import os
import sqlite3


def closing(day):
    return "14:00" if day == "sat" else "18:00"


def save_hours(db, days):
    with sqlite3.connect(db) as conn:
        conn.execute("create table if not exists hours (day text, closes text)")
        conn.executemany("insert into hours values (?, ?)", [(d, closing(d)) for d in days])
        return conn.execute("select count(*) from hours").fetchone()[0]


def run(workdir, server_addr):
    count = save_hours(os.path.join(workdir, "shop.db"), ["mon", "sat"])
    return {"saved": count, "sat": closing("sat")}
