"""An inventory kept in SQLite. `with sqlite3.connect(...)` commits but never closes."""

import contextlib
import os
import sqlite3


def init(db):
    with contextlib.closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("create table items (name text primary key, qty integer not null)")
        conn.executemany("insert into items values (?, ?)", [("bolt", 40), ("nut", 25)])


def add_item(db, name, qty):
    with contextlib.closing(sqlite3.connect(db)) as conn, conn:
        if qty < 0:
            raise ValueError(f"negative quantity for {name}")
        conn.execute("insert into items values (?, ?)", (name, qty))


def total(db):
    with contextlib.closing(sqlite3.connect(db)) as conn, conn:
        return conn.execute("select sum(qty) from items").fetchone()[0]


def run(workdir, server_addr):
    db = os.path.join(workdir, "inventory.db")
    init(db)
    rejected = []
    for name, qty in [("washer", 10), ("screw", -3)]:
        try:
            add_item(db, name, qty)
        except ValueError as exc:
            rejected.append(str(exc))
    return {"total": total(db), "rejected": rejected}
