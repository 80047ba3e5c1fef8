"""Fixes that put text before a multi-line call keep its continuation lines aligned."""

import asyncio
import contextlib
import sqlite3

_background_tasks = set()  # keeps background tasks alive


def count(db, query):
    with contextlib.closing(sqlite3.connect(db,
                                            timeout=5)) as conn, conn:
        return conn.execute(query).fetchone()


async def refresh(job):
    task = asyncio.create_task(job.run("all",
                                       retries=2))
    _background_tasks.add(task)
    task.add_done_callback(_background_tasks.discard)
