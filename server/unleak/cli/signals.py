"""Stopping a run: Ctrl-C (SIGINT) and SIGTERM end it at once, in the parent and in its
workers, without a traceback, without a half-written file, and without a worker left behind.

A terminal sends SIGINT to the whole process group; `kill`, `timeout` or an editor may send
a signal to the parent alone, which then stops its workers (`runner._Lane.close`).
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator
from types import FrameType

# Held back while a fixed file is rewritten: between truncating and writing, it is empty.
STOPPING = (signal.SIGINT, signal.SIGTERM)


def stop_worker_on_signal() -> None:
    """A worker's initializer: SIGINT or SIGTERM ends it at once and without a word (waiting
    for work, it would print a traceback of its own; SIGTERM's default would do, but not
    while it writes a file, see `held_back`). The parent says what happened."""
    for signum in STOPPING:
        signal.signal(signum, lambda signum, frame: os._exit(128 + signum))


@contextlib.contextmanager
def held_back() -> Iterator[None]:
    """SIGINT and SIGTERM wait until the block ends (POSIX): their KeyboardInterrupt or exit
    comes after it."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, STOPPING)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _terminated(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


@contextlib.contextmanager
def sigterm_as_exit() -> Iterator[None]:
    """SIGTERM raises SystemExit meanwhile, so the run stops its workers on the way out
    (by default the parent would die at once and leave them running, or waiting forever
    for work). Only in the main thread, where Python handles signals."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
