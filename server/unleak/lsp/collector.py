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

A large document's opening is analysed with the collector off (`made_unscanned`): what it
made is frozen at its end without a collection, its cycles being few (25,000 objects of the
2.3 million the generated 100,000-line module's leaves, 3 MB), where scanning them took 1.2
to 1.8 s of CPU that the first keystroke after the opening waited for. With more than
`LARGE` objects frozen (about a second to scan; a 20,000-line module and 53 others open make
about half a million), the collection of everything once idle is made only when the
resident memory grew by `GROWTH` since the last one (an analysis in full replaced one whose
objects were frozen), or a document was closed since (`released`); after edits analysed
alone it freed nothing.

What the server's start made (its libraries' modules, classes and functions: some 55,000
objects, nearly all alive for good) is frozen as the server initializes, without a
collection: the first document's collection then scans its own analysis alone (scanning the
libraries too took 30 to 60 ms, which the first edit after opening a document waited for).
And what any other document's first analysis leaves is collected in the young generations
alone before it is frozen: that analysis made the document's trees, nearly all of it alive (a
full collection after opening the 20,000-line concatenation scanned 157,000 objects to free
11, 30 to 120 ms that the first edit waited for); what it left in the oldest generation is
collected at the pause.
"""

from __future__ import annotations

import asyncio
import gc
import os
import time

IDLE_SECONDS = 3.0
PAUSE_PER_SECOND = 20.0
SLOW = 0.25
LARGE = 1_000_000
GROWTH = 0.2


class IdleCollector:
    def __init__(
        self, idle: float = IDLE_SECONDS, per_second: float = PAUSE_PER_SECOND, large: int = LARGE
    ) -> None:
        self.idle = idle
        self.per_second = per_second
        self.large = large
        self._timer: asyncio.TimerHandle | None = None
        self.collections = 0  # full collections made while idle (for tests)
        self.took = 0.0  # how long the last one took (seconds)
        # The resident memory after the last full collection (or when a large analysis was
        # frozen without one), in bytes; None where it cannot be read.
        self.baseline: int | None = None

    @property
    def pause(self) -> float:
        """How long the analyses must pause before everything is collected."""
        if self.took <= SLOW:
            return self.idle
        return max(self.idle, self.per_second * self.took)

    def started(self) -> None:
        """The server initialized: freeze what its start made (see above). The cycles among
        it, if any, are collected at the first pause."""
        gc.freeze()

    def analysed(self, opened: bool = False) -> None:
        """An analysis was published (on the event loop): collect what it left, and freeze
        what stays; collect everything once idle. ``opened``: it was a document's first."""
        # Everything older is frozen: this full collection looks at what the last analysis
        # made alone, and frees its reference cycles before they are frozen for good.
        started = time.perf_counter()
        gc.collect(1 if opened else 2)
        gc.freeze()
        # The first analysis of a large document made most of what is alive: what scanning it
        # took is what a collection of everything will take.
        self.took = max(self.took, time.perf_counter() - started)
        if self._timer is not None:
            self._timer.cancel()
        self._timer = asyncio.get_running_loop().call_later(self.pause, self.collect)

    def made_unscanned(self) -> None:
        """An analysis made with the collector off ended (a large document's opening, in its
        thread): what it made is frozen without a collection, before the collector is on
        again (it would scan all of it at the next allocation, 1 to 2 s that the first
        keystroke after the opening waited for). Its cycles wait for a collection of
        everything (see `collect`)."""
        gc.freeze()
        if self.baseline is None:
            self.baseline = resident()

    def released(self) -> None:
        """A document was closed (on the event loop): what its analyses held is garbage, much
        of it in cycles among frozen objects (1.25 million objects, 180 MB, of the generated
        100,000-line module's), which the memory's growth would not tell: the next collection
        once idle is made whatever the memory."""
        self.baseline = None
        if self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self.pause, self.collect)

    def collect(self) -> None:
        self._timer = None
        if gc.get_freeze_count() > self.large and not self.grown():
            return
        started = time.perf_counter()
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        self.took = time.perf_counter() - started
        self.collections += 1
        self.baseline = resident()

    def grown(self) -> bool:
        """Whether the resident memory grew by `GROWTH` since the last full collection
        (True when it cannot be told)."""
        now = resident()
        if now is None or self.baseline is None:
            return True
        return now > self.baseline * (1 + GROWTH)

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        gc.unfreeze()


def resident() -> int | None:
    """The process's resident memory in bytes (Linux), or None."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError, AttributeError):
        return None
