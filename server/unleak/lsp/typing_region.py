"""Where the user is typing, so that a syntax error there waits for a pause.

While a line is unfinished (``def ``, ``f = ``, ``return f.``) it does not parse, and a red
squiggle under the text being typed would flash on and off with every key. So a syntax error
(UL001) that lies in the lines edited during the current burst of typing is published only
once the document has been idle for ``SYNTAX_ERROR_IDLE`` seconds; every other diagnostic,
and a syntax error elsewhere in the file, is published at once.

A burst is a run of edits each less than ``SYNTAX_ERROR_IDLE`` after the previous one; its
region is the range of lines those edits touched, moved along as later edits add or remove
lines above it. Lines are 0-based, as the client counts them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lsprotocol import types

SYNTAX_ERROR_CODE = "UL001"
# Seconds without an edit before a syntax error in the edited lines is shown.
SYNTAX_ERROR_IDLE = 1.0
# A syntax error this many lines around the edited ones counts as being typed too (an
# unfinished `if x:` is reported on the line after it).
MARGIN = 1

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class TypingRegion:
    first: int
    last: int
    # time.monotonic() of the burst's latest edit.
    at: float

    def idle_for(self, now: float) -> float:
        return now - self.at

    def active(self, now: float) -> bool:
        return self.idle_for(now) < SYNTAX_ERROR_IDLE

    def covers(self, line: int) -> bool:
        return self.first - MARGIN <= line <= self.last + MARGIN


def _breaks(text: str) -> int:
    return len(_LINE_BREAK.findall(text))


def after_edit(
    region: TypingRegion | None, start: int, end: int, new_text: str, now: float
) -> TypingRegion:
    """The region once lines ``start``..``end`` were replaced by ``new_text``: the lines the
    edit wrote, joined with the burst's earlier lines (moved by the lines it added or
    removed) if the burst is still going on."""
    if end < start:
        start, end = end, start
    written_last = start + _breaks(new_text)
    if region is None or not region.active(now):
        return TypingRegion(start, written_last, now)
    delta = written_last - end

    def moved(line: int) -> int:
        if line > end:
            return line + delta
        return line if line < start else start

    return TypingRegion(min(moved(region.first), start), max(moved(region.last), written_last), now)


def changed_lines(old: list[str], new: list[str]) -> tuple[int, int, int]:
    """What changed between two texts given as lines (for a client that sends the whole
    text), as a replacement of whole lines: the first changed line, the line of ``old`` the
    replacement ends before, and how many line breaks the replacing text has."""
    head = 0
    limit = min(len(old), len(new))
    while head < limit and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < limit - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    return head, len(old) - tail, len(new) - tail - head


def held_back(
    diagnostics: list[types.Diagnostic], region: TypingRegion | None, now: float
) -> list[types.Diagnostic]:
    """The syntax errors of ``diagnostics`` to hold back while the user is typing there."""
    if region is None or not region.active(now):
        return []
    return [
        d for d in diagnostics if d.code == SYNTAX_ERROR_CODE and region.covers(d.range.start.line)
    ]
