"""Applying fixes: edits to text.

Positions are the engine's: 1-based lines as Python counts them (``\\r\\n``, ``\\r`` and
``\\n`` end a line; form feeds and other Unicode line separators do not), 0-based code-point
columns, end exclusive.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from unleak.findings.model import Edit, Finding
from unleak.source.text import source_lines

__all__ = [
    "LineIndex",
    "apply_edits",
    "fixable",
    "line_bounds",
    "newline_of",
]

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def line_bounds(text: str) -> tuple[list[int], list[int]]:
    """Where each line starts, and where its line break (or the text) ends it, as Python
    counts lines."""
    lines = source_lines(text)
    # C-level accumulation: this runs on every keystroke in the language server.
    starts = [0, *itertools.accumulate(map(len, lines))]
    if lines and not lines[-1].endswith(("\n", "\r")):
        starts.pop()  # no line break at the end: no empty line after the last
    if "\r" not in text:
        ends = [start - 1 for start in starts[1:]]
    else:
        ends = [
            start + len(line) - (2 if line.endswith("\r\n") else 1)
            for start, line in zip(starts, lines, strict=False)
            if line.endswith(("\n", "\r"))
        ]
    ends.append(len(text))
    return starts, ends


class LineIndex:
    """Converts (line, column) positions of one text to offsets into it."""

    def __init__(self, text: str) -> None:
        self.text = text
        # starts[n] is the offset of line n + 1; ends[n] the offset of its line break.
        self.starts, self.ends = line_bounds(text)

    def offset(self, line: int, column: int) -> int:
        """The offset of a position; the column may not pass the end of its line."""
        if not 1 <= line <= len(self.starts):
            raise ValueError(f"line {line} is outside the text (1..{len(self.starts)})")
        start, end = self.starts[line - 1], self.ends[line - 1]
        if not 0 <= column <= end - start:
            raise ValueError(f"column {column} is outside line {line} (0..{end - start})")
        return start + column

    def range(self, edit: Edit) -> tuple[int, int]:
        s = edit.span
        start, end = self.offset(s.line, s.column), self.offset(s.end_line, s.end_column)
        if end < start:
            raise ValueError(f"edit ends before it starts: {s}")
        return start, end


def ranges(index: LineIndex, edits: Sequence[Edit]) -> list[tuple[int, int, str]]:
    """The edits as sorted offset ranges; ValueError on a bad position or an overlap.

    Insertions at the same offset keep their given order, and an insertion at the start
    or end of a replaced range does not overlap it."""
    ranges = sorted(((*index.range(e), e.new_text) for e in edits), key=lambda r: (r[0], r[1]))
    for (_, prev_end, _), (start, _, _) in itertools.pairwise(ranges):
        if start < prev_end:
            raise ValueError("overlapping edits")
    return ranges


def apply_edits(text: str, edits: Sequence[Edit]) -> str:
    """``text`` with every edit applied; ValueError if two overlap or one is out of range."""
    if not edits:
        return text
    parts: list[str] = []
    done = 0
    for start, end, new_text in ranges(LineIndex(text), edits):
        parts.append(text[done:start])
        parts.append(new_text)
        done = end
    parts.append(text[done:])
    return "".join(parts)


def newline_of(text: str) -> str:
    """The text's line break: ``\\r\\n`` if it has any, ``\\r`` if it has only those."""
    if "\r\n" in text:
        return "\r\n"
    if "\r" in text and "\n" not in text:
        return "\r"
    return "\n"


def fixable(finding: Finding, unsafe: bool = False) -> bool:
    """Whether ``--fix`` (with ``--unsafe-fixes`` when ``unsafe``) applies the finding's fix."""
    fix = finding.fix
    return fix is not None and bool(fix.edits) and (fix.safe or unsafe)
