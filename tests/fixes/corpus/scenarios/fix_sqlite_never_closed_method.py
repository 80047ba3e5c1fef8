"""A repository object that opens a connection per query."""
# corpus: shape = "should-fix"
# corpus: tags = ["method", "sqlite3"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed database"]
# corpus: safe_fix = "expected"

import os
import sqlite3


class Repository:
    def __init__(self, db):
        self.db = db

    def create(self):
        conn = sqlite3.connect(self.db)
        conn.execute("create table notes (body text)")
        conn.execute("insert into notes values ('first')")
        conn.commit()
        conn.close()

    def bodies(self):
        conn = sqlite3.connect(self.db)
        rows = conn.execute("select body from notes").fetchall()
        return [body for (body,) in rows]


def run(workdir, server_addr):
    repo = Repository(os.path.join(workdir, "notes.db"))
    repo.create()
    return repo.bodies()
