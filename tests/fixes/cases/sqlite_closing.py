"""Counting rows."""

import sqlite3


def count(db):
    with sqlite3.connect(db) as conn:
        return conn.execute("select count(*) from t").fetchone()[0]
