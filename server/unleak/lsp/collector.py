"""Python's cyclic garbage collector kept off the typing path.

A full collection scans every object the process holds: with a large document's syntax trees
and analyses alive that takes 50 to 150 ms, and it starts whenever enough objects have been
created, so it lands on random keystrokes. After each analysis is published, the objects it
left in reference cycles are collected (a full collection that scans only what was made
since the last one: everything older is frozen) and the objects alive are frozen (moved out
of the collector's reach; they are still freed when no longer referenced). When analyses
stop for a while, everything is unfrozen and collected once, which frees the cycles that
frozen objects formed meanwhile (an analysis replaced by a newer one).
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
        """An analysis was published (on the event loop): collect what it left, and freeze
        what stays; collect everything once idle."""
        # Everything older is frozen: this full collection looks at what the last analysis
        # made alone, and frees its reference cycles before they are frozen for good.
        gc.collect()
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
