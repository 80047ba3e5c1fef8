"""The analysis thread's executor, which says when it has work: the background index waits
between files while it does, so that indexing does not slow down an opened document's
diagnostics (both threads share one interpreter lock)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

# How long background work waits at most for the foreground before doing one more step
# (continuous typing must not starve the index for good).
MAX_WAIT_S = 1.0


class ForegroundExecutor(ThreadPoolExecutor):
    def __init__(self, name: str) -> None:
        super().__init__(1, thread_name_prefix=name)
        self._pending = 0
        self._count_lock = threading.Lock()

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        with self._count_lock:
            self._pending += 1
        try:
            future = super().submit(fn, *args, **kwargs)
        except BaseException:
            self._finished()
            raise
        future.add_done_callback(lambda _: self._finished())
        return future

    def _finished(self) -> None:
        with self._count_lock:
            self._pending -= 1

    @property
    def busy(self) -> bool:
        return self._pending > 0

    def wait_idle(self, limit: float = MAX_WAIT_S) -> None:
        """Block (a background thread) while foreground work is pending, up to ``limit``."""
        deadline = time.monotonic() + limit
        while self._pending > 0 and time.monotonic() < deadline:
            time.sleep(0.005)
