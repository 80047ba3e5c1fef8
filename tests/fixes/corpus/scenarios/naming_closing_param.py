"""Record a shift in sqlite; the method's parameter `closing` flags the last shift."""
# corpus: shape = "naming"
# corpus: tags = ["method", "sqlite3"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed database"]
# corpus: safe_fix = "expected"

import os
import sqlite3
from contextlib import closing as closing_of


class Roster:
    def __init__(self, db):
        self.db = db
        with closing_of(sqlite3.connect(db)) as conn, conn:
            conn.execute("create table shifts (who text, last integer)")

    def record(self, who, closing=False):
        with sqlite3.connect(self.db) as conn:
            conn.execute("insert into shifts values (?, ?)", (who, int(closing)))
            return conn.execute("select count(*) from shifts").fetchone()[0]


def run(workdir, server_addr):
    roster = Roster(os.path.join(workdir, "roster.db"))
    return [roster.record("ada"), roster.record("bob", closing=True)]
