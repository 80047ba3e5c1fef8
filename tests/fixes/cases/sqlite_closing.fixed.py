"""Counting rows."""

import contextlib
import sqlite3


def count(db):
    with contextlib.closing(sqlite3.connect(db)) as conn, conn:
        return conn.execute("select count(*) from t").fetchone()[0]
