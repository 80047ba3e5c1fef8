"""Archive an order, then count what is left (the connection outlives the `with`)."""
# corpus: shape = "naming"
# corpus: tags = ["function", "sqlite3"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed database"]
# corpus: safe_fix = "any"

import os
import sqlite3


def archive(db, order_id):
    with sqlite3.connect(db) as conn:
        conn.execute("create table if not exists orders (id integer, archived integer)")
        conn.execute("insert into orders values (?, 0)", (order_id,))
        conn.execute("update orders set archived = 1 where id = ?", (order_id,))
    return conn.execute("select count(*) from orders where archived = 0").fetchone()[0]


def run(workdir, server_addr):
    return archive(os.path.join(workdir, "orders.db"), 7)
