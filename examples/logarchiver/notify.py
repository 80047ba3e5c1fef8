"""Tell a log collector about finished archives, one line of text per event."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterable


def send_line(host: str, port: int, message: str) -> None:
    sock = socket.create_connection((host, port), timeout=5)
    # LEAK UL102: if sendall() raises (connection reset, timeout), sock stays open.
    sock.sendall(message.encode("utf-8") + b"\n")
    sock.close()


def send_line_safely(host: str, port: int, message: str) -> None:
    # OK: the socket is closed whether or not sendall() raises.
    with socket.create_connection((host, port), timeout=5) as sock:
        sock.sendall(message.encode("utf-8") + b"\n")


async def announce(host: str, port: int, message: str) -> None:
    # OK: the writer is closed in finally.
    _reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(message.encode("utf-8") + b"\n")
        await writer.drain()
    finally:
        writer.close()
        await writer.wait_closed()


async def announce_all(names: Iterable[str], host: str, port: int) -> None:
    for name in names:
        # LEAK UL108: nothing keeps a reference to the task; it can be garbage-collected
        # before it finishes, and its errors are never seen.
        asyncio.create_task(announce(host, port, f"archived {name}"))


_background: set[asyncio.Task[None]] = set()


async def announce_all_tracked(names: Iterable[str], host: str, port: int) -> None:
    for name in names:
        # OK: the set keeps each task alive until it is done.
        task = asyncio.create_task(announce(host, port, f"archived {name}"))
        _background.add(task)
        task.add_done_callback(_background.discard)
