"""The analysis thread's executor tells the background index when it has work."""

from __future__ import annotations

import threading
import time

from unleak.lsp.foreground import ForegroundExecutor


def test_busy_while_work_is_pending_and_wait_idle_waits_for_it() -> None:
    executor = ForegroundExecutor("test-foreground")
    gate = threading.Event()
    try:
        assert not executor.busy
        future = executor.submit(gate.wait, 5)
        assert executor.busy
        threading.Timer(0.2, gate.set).start()
        started = time.monotonic()
        executor.wait_idle(limit=5)
        assert 0.1 < time.monotonic() - started < 4
        assert future.result(1) is True
        assert not executor.busy
    finally:
        gate.set()
        executor.shutdown()


def test_wait_idle_gives_up_after_its_limit() -> None:
    executor = ForegroundExecutor("test-foreground")
    gate = threading.Event()
    try:
        executor.submit(gate.wait, 5)
        started = time.monotonic()
        executor.wait_idle(limit=0.1)
        assert time.monotonic() - started < 2
        assert executor.busy  # still working: the background went on anyway
    finally:
        gate.set()
        executor.shutdown()
