"""A small SQLite index of archived files."""

from __future__ import annotations

import sqlite3
import threading
from contextlib import closing
from types import TracebackType

SCHEMA = """
create table if not exists archive (
    path text primary key,
    first_ts text,
    lines integer not null
)
"""


def count_archived(db: str) -> int:
    # LEAK UL103: `with` on a sqlite3 connection commits, but never closes it.
    with sqlite3.connect(db) as conn:
        conn.execute(SCHEMA)
        return int(conn.execute("select count(*) from archive").fetchone()[0])


def record_one(db: str, path: str, first_ts: str | None, lines: int) -> None:
    # OK: closing() closes the connection, the inner `conn` commits the transaction.
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute(SCHEMA)
        conn.execute("insert or replace into archive values (?, ?, ?)", (path, first_ts, lines))


def _validated(path: str) -> str:
    if not path or "\n" in path:
        raise ValueError(f"bad path: {path!r}")
    return path


class Index:
    """One connection for a whole batch; rows are buffered and written by flush().

    OK: the connection is closed by close() and by the context manager.
    """

    def __init__(self, db: str) -> None:
        self._conn = sqlite3.connect(db, check_same_thread=False)
        self._conn.execute(SCHEMA)
        self._lock = threading.Lock()
        self._pending: list[tuple[str, str | None, int]] = []

    def add(self, path: str, first_ts: str | None, lines: int) -> None:
        # LEAK UL105: if _validated() raises, the lock is never released and the
        # next add() or flush() from any thread hangs forever.
        self._lock.acquire()
        self._pending.append((_validated(path), first_ts, lines))
        self._lock.release()

    def flush(self) -> int:
        # OK: `with lock` releases on every path.
        with self._lock:
            rows, self._pending = self._pending, []
        self._conn.executemany("insert or replace into archive values (?, ?, ?)", rows)
        self._conn.commit()
        return len(rows)

    def close(self) -> None:
        try:
            self.flush()
        finally:
            self._conn.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
