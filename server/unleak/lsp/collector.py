"""Python's cyclic garbage collector kept off the typing path.

A full collection scans every object the process holds: with a large document's syntax trees
and analyses alive that takes 50 to 150 ms, and it starts whenever enough objects have been
created, so it lands on random keystrokes. After each analysis the objects alive are frozen
(moved out of the collector's reach, which costs nothing; they are still freed when no longer
referenced), so the collections while typing scan only what the last edits created. When
analyses stop for a while, everything is unfrozen and collected once, which frees any
reference cycles made meanwhile.
"""

from __future__ import annotations

import asyncio
import gc

IDLE_SECONDS = 3.0


class IdleCollector:
    def __init__(self, idle: float = IDLE_SECONDS) -> None:
        self.idle = idle
        self._timer: asyncio.TimerHandle | None = None
        self.collections = 0  # full collections made while idle (for tests)

    def analysed(self) -> None:
        """An analysis was stored (on the event loop): freeze, and collect once idle."""
        gc.freeze()
        if self._timer is not None:
            self._timer.cancel()
        self._timer = asyncio.get_running_loop().call_later(self.idle, self.collect)

    def collect(self) -> None:
        self._timer = None
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        self.collections += 1

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        gc.unfreeze()
