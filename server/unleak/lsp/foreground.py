"""The analysis thread's executor, which says when it has work: the background index waits
between files while it does, so that indexing does not slow down an opened document's
diagnostics (both threads share one interpreter lock). Urgent work (a hover while a large
document opens) is run between two steps of the long task under way (`run_urgent`), or as
the next task when none is."""

from __future__ import annotations

import threading
import time
from collections import deque
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
        self._urgent: deque[tuple[Callable[[], Any], Future[Any]]] = deque()

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

    def submit_urgent(self, fn: Callable[[], T]) -> Future[T]:
        """Run ``fn`` in the analysis thread as soon as it can: between two steps of the
        task under way (which calls `run_urgent`), else as the next task."""
        future: Future[T] = Future()
        self._urgent.append((fn, future))
        self.submit(self.run_urgent)
        return future

    def run_urgent(self) -> None:
        """Run the urgent work waiting (in the analysis thread)."""
        while True:
            try:
                fn, future = self._urgent.popleft()
            except IndexError:
                return
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn())
            except BaseException as error:  # handed to whoever waits for it
                future.set_exception(error)

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
