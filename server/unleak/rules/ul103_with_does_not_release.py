"""A `with` statement that does not release the resource it manages.

## What it does
Reports `with` statements on objects whose context manager does not close them:
`sqlite3.connect()` and `psycopg2.connect()` connections commit or roll back a transaction in
`__exit__` but leave the connection open.

It does not report `with contextlib.closing(conn)` or a connection also closed after the
block, nor `with` on objects whose `__exit__` does close them (files, sockets, processes).

## Why it matters
The code reads as if the connection were closed; it is not. Every call leaks a connection
(and on SQLite a file handle and possibly a lock on the database file).

## Example
```python
def count(db):
    with sqlite3.connect(db) as conn:
        return conn.execute("select count(*) from t").fetchone()[0]
```

## Use instead
```python
from contextlib import closing

def count(db):
    with closing(sqlite3.connect(db)) as conn, conn:
        return conn.execute("select count(*) from t").fetchone()[0]
```
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from unleak.findings.model import Finding
from unleak.settings import Severity

if TYPE_CHECKING:
    from unleak.findings.module import ModuleAnalysis

CODE = "UL103"
NAME = "with-does-not-release"
SEVERITY = Severity.WARNING


def check(module: ModuleAnalysis) -> Iterable[Finding]:
    return module.leak_findings(CODE)


# What its fix does (unleak.fixes.registry builds it).
FIX = "`with contextlib.closing(connect(...)) as conn, conn:`"
