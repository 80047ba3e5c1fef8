"""Applying fixes: edits to text, and the fix loop (apply, re-analyse, repeat).

Positions are the engine's: 1-based lines as Python counts them (``\\r\\n``, ``\\r`` and
``\\n`` end a line; form feeds and other Unicode line separators do not), 0-based code-point
columns, end exclusive.
"""

from __future__ import annotations

import itertools
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from unleak.engine.findings import Edit, Finding, Fix
from unleak.engine.settings import Settings
from unleak.engine.source import source_lines

__all__ = [
    "FixResult",
    "LineIndex",
    "apply_edits",
    "fix_source",
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


def _ranges(index: LineIndex, edits: Sequence[Edit]) -> list[tuple[int, int, str]]:
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
    for start, end, new_text in _ranges(LineIndex(text), edits):
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


@dataclass
class FixResult:
    text: str
    applied: list[Finding] = field(default_factory=list)  # each in its pass's coordinates
    remaining: list[Finding] = field(default_factory=list)
    # What other modules need to know about the fixed text (from its last analysis).
    exports: dict[str, tuple[str, tuple[str | None, ...]]] = field(default_factory=dict)
    imports: frozenset[str] = frozenset()

    @property
    def changed(self) -> bool:
        return bool(self.applied)


def compiles(text: str, path: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(text, path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError, OverflowError, RecursionError, MemoryError):
        return False
    return True


class _Pass:
    """One pass: the text, its line index, and the fixes chosen for it."""

    def __init__(self, text: str, newline: str) -> None:
        self.text = text
        self.index = LineIndex(text)
        self.newline = newline

    def edits(self, fix: Fix) -> list[Edit] | None:
        """The fix's edits with the text's line breaks, or None if they are invalid here."""
        edits = [
            e if not _LINE_BREAK.search(e.new_text) else Edit(e.span, self._eol(e.new_text))
            for e in fix.edits
        ]
        try:
            _ranges(self.index, edits)
        except ValueError:
            return None
        return edits

    def _eol(self, text: str) -> str:
        return _LINE_BREAK.sub(self.newline, text)

    def key(self, finding: Finding) -> tuple[Any, ...]:
        """Identifies a fix across passes (positions move, replaced text does not)."""
        assert finding.fix is not None
        parts: list[Any] = [finding.code, finding.fix.description]
        for e in finding.fix.edits:
            try:
                start, end = self.index.range(e)
            except ValueError:
                parts.append((e.span, e.new_text))
                continue
            parts.append((self.text[start:end], e.new_text))
        return tuple(parts)

    def apply(self, chosen: Sequence[list[Edit]]) -> str:
        return apply_edits(self.text, [e for edits in chosen for e in edits])


def _lines(edits: Sequence[Edit]) -> tuple[int, int]:
    return min(e.span.line for e in edits), max(e.span.end_line for e in edits)


def _select(candidates: list[tuple[Finding, list[Edit]]]) -> list[tuple[Finding, list[Edit]]]:
    """In position order, each fix whose lines no chosen fix touches."""
    chosen: list[tuple[Finding, list[Edit]]] = []
    taken: list[tuple[int, int]] = []
    for finding, edits in sorted(candidates, key=lambda c: (_lines(c[1]), c[0].sort_key())):
        first, last = _lines(edits)
        if any(first <= t_last and t_first <= last for t_first, t_last in taken):
            continue
        chosen.append((finding, edits))
        taken.append((first, last))
    return chosen


def _compiling_subset(
    step: _Pass, chosen: list[tuple[Finding, list[Edit]]], path: str
) -> tuple[list[tuple[Finding, list[Edit]]], str]:
    """The fixes to keep (the text still compiles with them) and the resulting text.

    All at once if they compile; otherwise each half is tried on top of what was kept."""
    kept: list[tuple[Finding, list[Edit]]] = []

    def attempt(group: list[tuple[Finding, list[Edit]]]) -> None:
        if not group:
            return
        if compiles(step.apply([edits for _, edits in kept + group]), path):
            kept.extend(group)
        elif len(group) > 1:
            half = len(group) // 2
            attempt(group[:half])
            attempt(group[half:])

    attempt(chosen)  # halves in order: what is kept stays in position order
    return kept, step.apply([edits for _, edits in kept])


def fix_source(
    text: str,
    path: str,
    settings: Settings | None = None,
    *,
    unsafe: bool = False,
    module_name: str = "",
    max_passes: int = 10,
) -> FixResult:
    """Apply the findings' fixes (safe ones, and unsafe ones if ``unsafe``) until none is
    left to apply or ``max_passes`` passes ran, re-analysing after each pass.

    Within a pass, fixes touching the same lines wait for the next one. A file that does not
    compile is not fixed, and no pass may make a compiling file stop compiling: the fixes
    that would are dropped (and not tried again), the others kept.
    """
    from unleak.engine.api import analyse_source
    from unleak.engine.incremental import UnitCache

    settings = settings or Settings()
    units = UnitCache()
    report = analyse_source(text, path, settings, module_name, units)
    newline = newline_of(text)
    applied: list[Finding] = []
    rejected: set[tuple[Any, ...]] = set()  # fixes that broke compilation or did nothing
    seen = {text}
    checked = False
    for _ in range(max_passes):
        step = _Pass(text, newline)
        candidates: list[tuple[Finding, list[Edit]]] = []
        for finding in report.findings:
            if not fixable(finding, unsafe) or step.key(finding) in rejected:
                continue
            edits = step.edits(finding.fix)  # type: ignore[arg-type]
            if edits is not None:
                candidates.append((finding, edits))
        if not candidates:
            break
        if not checked:
            if not compiles(text, path):
                break  # nothing proves a fix keeps a broken file as it was
            checked = True
        chosen = _select(candidates)
        kept, new_text = _compiling_subset(step, chosen, path)
        kept_ids = {id(f) for f, _ in kept}
        rejected.update(step.key(f) for f, _ in chosen if id(f) not in kept_ids)
        if not kept:
            continue  # what waited for this pass's fixes is tried in the next one
        if new_text in seen:
            # The fixes undo an earlier pass (or change nothing): stop going round in circles.
            rejected.update(step.key(f) for f, _ in kept)
            continue
        seen.add(new_text)
        applied.extend(f for f, _ in kept)
        text = new_text
        report = analyse_source(text, path, settings, module_name, units)
    return FixResult(text, applied, report.findings, report.exports, report.imports)
