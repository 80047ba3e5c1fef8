"""Top customers by order count."""
# corpus: shape = "should-fix"
# corpus: tags = ["function", "sqlite3"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed database"]
# corpus: safe_fix = "expected"

import os
import sqlite3


def setup(db):
    conn = sqlite3.connect(db)
    try:
        with conn:
            conn.execute("create table orders (customer text)")
            conn.executemany("insert into orders values (?)", [("ada",), ("bob",), ("ada",)])
    finally:
        conn.close()


def top_customers(db, limit):
    conn = sqlite3.connect(db)
    cur = conn.execute(
        "select customer, count(*) from orders group by customer order by 2 desc limit ?",
        (limit,),
    )
    return [list(row) for row in cur.fetchall()]


def run(workdir, server_addr):
    db = os.path.join(workdir, "shop.db")
    setup(db)
    return top_customers(db, 1)
