"""A statistics object that queries sqlite; comments inside the block."""
# corpus: shape = "plain"
# corpus: tags = ["method", "sqlite3", "comments"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed database"]
# corpus: safe_fix = "expected"

import os
import sqlite3


class Stats:
    def __init__(self, db):
        self.db = db

    def average(self, table):
        conn = sqlite3.connect(self.db)  # read-only use
        # the table name comes from our own code, never from users
        rows = conn.execute(f"select value from {table}").fetchall()
        if not rows:
            # nothing recorded yet
            return None
        values = [v for (v,) in rows]  # flatten
        conn.close()
        return sum(values) / len(values)


def run(workdir, server_addr):
    db = os.path.join(workdir, "stats.db")
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("create table temps (value real)")
        conn.execute("create table empty (value real)")
        conn.executemany("insert into temps values (?)", [(20.0,), (22.0,)])
    conn.close()
    stats = Stats(db)
    return [stats.average("temps"), stats.average("empty")]
