"""Tab-indented code aligned with spaces after the tabs keeps its alignment."""

import sqlite3


def fields(path):
	return open(path).read().split(",",
	                               3)


def count(db, query):
	with sqlite3.connect(db,
	                     timeout=5) as conn:
		return conn.execute(query).fetchone()
