"""Tab-indented code aligned with spaces after the tabs keeps its alignment."""

import contextlib
import sqlite3


def fields(path):
	with open(path) as f:
		return f.read().split(",",
		                      3)


def count(db, query):
	with contextlib.closing(sqlite3.connect(db,
	                                        timeout=5)) as conn, conn:
		return conn.execute(query).fetchone()
