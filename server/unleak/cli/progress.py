"""Progress of a long run on a terminal: files done out of the total, on one stderr line.

Nothing is shown for the first second (most runs are over by then), at most ten updates a
second after that, and the line is erased at the end so the report starts on a clean line.
Only for people: the caller makes one only when stderr is a terminal.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

DELAY = 1.0  # seconds before the first update
INTERVAL = 0.1  # seconds between updates


class Progress:
    def __init__(
        self,
        stream: TextIO,
        delay: float | None = None,
        interval: float = INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream
        self.interval = interval
        self.clock = clock
        self.start_at = clock() + (DELAY if delay is None else delay)
        self.next_at = self.start_at
        self.shown = False
        self.label = ""
        self.done = self.total = 0

    def begin(self, total: int, done: int = 0, label: str = "files checked") -> None:
        """A new stage: ``done`` of ``total`` already finished (cache hits)."""
        self.total, self.done, self.label = total, done, label
        self.next_at = self.start_at  # a new stage is shown at once (after the delay)
        self._render()

    def advance(self, count: int = 1) -> None:
        self.done += count
        self._render()

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[K")  # back to the start of the line, and erase it
            self.stream.flush()
            self.shown = False

    def _render(self) -> None:
        if not self.total:
            return
        now = self.clock()
        if now < self.next_at and self.done < self.total:
            return
        if now < self.start_at:
            return  # finished within the delay: never shown
        self.next_at = now + self.interval
        self.stream.write(f"\r\x1b[Kunleak: {self.done}/{self.total} {self.label}")
        self.stream.flush()
        self.shown = True
