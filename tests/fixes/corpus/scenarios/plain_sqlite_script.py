"""A migration script that opens the database at module scope."""
# corpus: shape = "plain"
# corpus: tags = ["script", "sqlite3"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed database"]
# corpus: safe_fix = "expected"
# corpus: run = "script"

import os
import sqlite3
import sys

db = sqlite3.connect(os.path.join(sys.argv[1], "app.db"))
db.execute("create table users (name text)")
db.executemany("insert into users values (?)", [("ada",), ("bob",)])
db.commit()
print("users:", db.execute("select count(*) from users").fetchone()[0])
