"""Python's cyclic garbage collector kept off the typing path.

A full collection scans every object the process holds: with a large document's syntax trees
and analyses alive that takes 50 to 150 ms, and it starts whenever enough objects have been
created, so it lands on random keystrokes. After each analysis is published, the objects it
left in reference cycles are collected (a full collection that scans only what was made
since the last one: everything older is frozen) and the objects alive are frozen (moved out
of the collector's reach; they are still freed when no longer referenced). When analyses
stop for a while, everything is unfrozen and collected once, which frees the cycles that
frozen objects formed meanwhile (an analysis replaced by a newer one). That collection holds the
interpreter for as long as it takes to scan every object (seconds with a 100,000-line module
open): a keystroke that comes while it runs waits for it, and so does an analysis under way in
its thread. So when one takes long (over `SLOW` seconds), the pause it waits for grows with what
the last one took (`PAUSE_PER_SECOND` seconds of pause per second), keeping such collections
to a small share of the time.
"""

from __future__ import annotations

import asyncio
import gc
import time

IDLE_SECONDS = 3.0
PAUSE_PER_SECOND = 20.0
SLOW = 0.25


class IdleCollector:
    def __init__(self, idle: float = IDLE_SECONDS, per_second: float = PAUSE_PER_SECOND) -> None:
        self.idle = idle
        self.per_second = per_second
        self._timer: asyncio.TimerHandle | None = None
        self.collections = 0  # full collections made while idle (for tests)
        self.took = 0.0  # how long the last one took (seconds)

    @property
    def pause(self) -> float:
        """How long the analyses must pause before everything is collected."""
        if self.took <= SLOW:
            return self.idle
        return max(self.idle, self.per_second * self.took)

    def analysed(self) -> None:
        """An analysis was published (on the event loop): collect what it left, and freeze
        what stays; collect everything once idle."""
        # Everything older is frozen: this full collection looks at what the last analysis
        # made alone, and frees its reference cycles before they are frozen for good.
        started = time.perf_counter()
        gc.collect()
        gc.freeze()
        # The first analysis of a large document made most of what is alive: what scanning it
        # took is what a collection of everything will take.
        self.took = max(self.took, time.perf_counter() - started)
        if self._timer is not None:
            self._timer.cancel()
        self._timer = asyncio.get_running_loop().call_later(self.pause, self.collect)

    def collect(self) -> None:
        self._timer = None
        started = time.perf_counter()
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        self.took = time.perf_counter() - started
        self.collections += 1

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        gc.unfreeze()
