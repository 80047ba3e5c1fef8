"""An async handler that records a visit in sqlite."""
# corpus: shape = "plain"
# corpus: tags = ["async", "sqlite3"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed database"]
# corpus: safe_fix = "expected"

import asyncio
import os
import sqlite3


async def record_visit(db, page):
    conn = sqlite3.connect(db)
    conn.execute("create table if not exists visits (page text)")
    await asyncio.sleep(0)
    conn.execute("insert into visits values (?)", (page,))
    conn.commit()
    return conn.execute("select count(*) from visits").fetchone()[0]


async def run(workdir, server_addr):
    db = os.path.join(workdir, "visits.db")
    return [await record_visit(db, "/"), await record_visit(db, "/about")]
