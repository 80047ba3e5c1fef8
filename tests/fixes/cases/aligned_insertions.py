"""Fixes that put text before a multi-line call keep its continuation lines aligned."""

import asyncio
import sqlite3


def count(db, query):
    with sqlite3.connect(db,
                         timeout=5) as conn:
        return conn.execute(query).fetchone()


async def refresh(job):
    asyncio.create_task(job.run("all",
                                retries=2))
