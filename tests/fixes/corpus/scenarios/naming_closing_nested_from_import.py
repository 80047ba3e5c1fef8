"""Customer count from sqlite; `closing` is imported only inside another function."""
# corpus: shape = "naming"
# corpus: tags = ["function", "sqlite3"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed database"]
# corpus: safe_fix = "expected"

import os
import socket
import sqlite3


def port_is_free(port):
    from contextlib import closing

    with closing(socket.socket()) as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def customer_count(db):
    with sqlite3.connect(db) as conn:
        conn.execute("create table if not exists customers (name text)")
        conn.executemany("insert into customers values (?)", [("ada",), ("bob",)])
        return conn.execute("select count(*) from customers").fetchone()[0]


def run(workdir, server_addr):
    return customer_count(os.path.join(workdir, "crm.db"))
