"""Positions and diagnostics: the engine's view (1-based lines, code-point columns) to the
client's (0-based lines, columns in the negotiated position encoding) and back.

Lines end at ``\\r\\n``, ``\\r`` or ``\\n`` only, as both LSP and the engine count them (form
feeds and Unicode line separators do not end a line here, although ``str.splitlines`` would).
"""

from __future__ import annotations

import bisect
import functools
import itertools
import os
from collections.abc import Sequence

from lsprotocol import types

from unleak.findings.model import Finding
from unleak.settings import Severity
from unleak.source.spans import Span
from unleak.source.text import changed_lines, source_lines

UTF8 = types.PositionEncodingKind.Utf8
UTF16 = types.PositionEncodingKind.Utf16
UTF32 = types.PositionEncodingKind.Utf32

SEVERITIES = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
    Severity.HINT: types.DiagnosticSeverity.Hint,
}


def units(text: str, encoding: str) -> int:
    """The length of ``text`` in the code units of ``encoding``."""
    if encoding == UTF32 or text.isascii():
        return len(text)
    if encoding == UTF8:
        return len(text.encode("utf-8", "surrogatepass"))
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def column_to_client(line: str, column: int, encoding: str) -> int:
    """A code-point column of ``line`` in client units (clamped to the line)."""
    column = max(0, min(column, len(line)))
    return units(line[:column], encoding)


def column_from_client(line: str, character: int, encoding: str) -> int:
    """A client column of ``line`` as a code-point column; past the end means the end, and a
    column inside a character (half a surrogate pair, a partial UTF-8 sequence) means the
    start of that character."""
    if character <= 0:
        return 0
    if encoding == UTF32 or line.isascii():
        return min(character, len(line))
    seen = 0
    for index, ch in enumerate(line):
        width = units(ch, encoding)
        if seen + width > character:
            return index
        seen += width
    return len(line)


class TextLines:
    """A text as its lines, for position conversions and edits. An edit re-splits only the
    lines it touches; line offsets are computed when first needed."""

    def __init__(self, text: str, lines: list[str] | None = None) -> None:
        self.text = text
        if lines is None:
            lines = source_lines(text)
            if not lines or lines[-1].endswith(("\n", "\r")):
                lines.append("")  # the empty line after a final line break
        # Each line with its line break; the last one has none.
        self.lines = lines

    @property
    def count(self) -> int:
        return len(self.lines)

    def source_lines(self) -> list[str]:
        """The lines as `unleak.source.text.source_lines` gives them."""
        return self.lines[:-1] if self.lines[-1] == "" else list(self.lines)

    def line(self, index: int) -> str:
        """The text of 0-based line ``index`` without its line break ('' past the end)."""
        if not 0 <= index < len(self.lines):
            return ""
        return self.lines[index].rstrip("\r\n")

    @functools.cached_property
    def starts(self) -> list[int]:
        return [0, *itertools.accumulate(map(len, self.lines[:-1]))]

    def edited(
        self, start: types.Position, end: types.Position, new: str, encoding: str
    ) -> TextLines:
        """The text with the range ``start``..``end`` (client positions) replaced by ``new``."""
        lines = self.lines
        if (end.line, end.character) < (start.line, start.character):
            start, end = end, start
        first = min(max(start.line, 0), len(lines) - 1)
        last = min(max(end.line, 0), len(lines) - 1)
        head = lines[first][: self._column(first, start, encoding)]
        tail = lines[last][self._column(last, end, encoding) :]
        # The neighbouring lines are split again too: a `\r` and a `\n` may now meet.
        lo, hi = max(first - 1, 0), min(last + 2, len(lines))
        piece = "".join([*lines[lo:first], head, new, tail, *lines[last + 1 : hi]])
        middle = source_lines(piece)
        if hi == len(lines) and (not middle or middle[-1].endswith(("\n", "\r"))):
            middle.append("")
        joined = [*lines[:lo], *middle, *lines[hi:]]
        return TextLines("".join(joined), joined)

    def _column(self, index: int, position: types.Position, encoding: str) -> int:
        if position.line < 0:
            return 0
        if position.line >= len(self.lines):
            return len(self.lines[index])
        return column_from_client(self.line(index), position.character, encoding)

    # Client positions.

    def offset(self, position: types.Position, encoding: str) -> int:
        """The offset of a client position (clamped to the text, as LSP asks)."""
        if position.line < 0:
            return 0
        if position.line >= len(self.lines):
            return len(self.text)
        line = self.line(position.line)
        return self.starts[position.line] + column_from_client(line, position.character, encoding)

    def position(self, offset: int, encoding: str) -> types.Position:
        offset = max(0, min(offset, len(self.text)))
        index = bisect.bisect_right(self.starts, offset) - 1
        line = self.line(index)
        # An offset between \r and \n belongs to the line end.
        column = min(offset - self.starts[index], len(line))
        return types.Position(index, column_to_client(line, column, encoding))

    # Engine positions.

    def engine_position(self, position: types.Position, encoding: str) -> tuple[int, int]:
        """A client position as the engine's (1-based line, code-point column)."""
        if position.line >= len(self.lines):
            last = len(self.lines) - 1
            return last + 1, len(self.line(last))
        line = self.line(position.line)
        return position.line + 1, column_from_client(line, position.character, encoding)

    def client_position(self, line: int, column: int, encoding: str) -> types.Position:
        """The engine's (1-based line, code-point column) as a client position."""
        index = line - 1
        if index < 0:
            return types.Position(0, 0)
        if index >= len(self.lines):
            last = len(self.lines) - 1
            return types.Position(last, units(self.line(last), encoding))
        return types.Position(index, column_to_client(self.line(index), column, encoding))

    def client_range(self, span: Span, encoding: str) -> types.Range:
        return types.Range(
            self.client_position(span.line, span.column, encoding),
            self.client_position(span.end_line, span.end_column, encoding),
        )

    def offsets_range(self, start: int, end: int, encoding: str) -> types.Range:
        return types.Range(self.position(start, encoding), self.position(end, encoding))


# Above this many findings a document's diagnostics go lean (`lean`).
RELATED_LIMIT = 1_000
# Test hook, read once at start: another limit.
RELATED_ENV = "UNLEAK_RELATED_LIMIT"


def _limit() -> int:
    try:
        return int(os.environ.get(RELATED_ENV, "") or RELATED_LIMIT)
    except ValueError:
        return RELATED_LIMIT


_RELATED = _limit()


def lean(findings: int) -> bool:
    """Whether a document's diagnostics go without their related locations and their rule's
    link: when it has more than `RELATED_LIMIT` findings. Every edit sends a document's
    diagnostics again, which the client reads and decodes at each keystroke: for 25,000, 19.8
    MB with them, 5.2 MB without (related locations are about 60% of a diagnostic's JSON,
    the link about a quarter of the rest). The hover over a finding then lists its related
    locations (`lsp.hover.finding_markdown`); it always links the rule."""
    return findings > _RELATED


def span_contains(span: Span, line: int, column: int) -> bool:
    """Whether the engine position (line, column) lies in ``span`` (its end included, so a
    cursor just after a flagged name still counts)."""
    return (span.line, span.column) <= (line, column) <= (span.end_line, span.end_column)


def spans_overlap(span: Span, start: tuple[int, int], end: tuple[int, int]) -> bool:
    return (span.line, span.column) <= end and start <= (span.end_line, span.end_column)


def diagnostic(
    finding: Finding,
    uri: str,
    lines: TextLines,
    encoding: str,
    related: bool = True,
    linked: bool = True,
) -> types.Diagnostic:
    """``related``: with its related locations; ``linked``: with its rule's link."""
    from unleak.lsp.rule_docs import rule_link
    from unleak.rules import RULES_BY_CODE

    rule = RULES_BY_CODE.get(finding.code)
    link = rule_link(rule) if rule and linked else None
    information: list[types.DiagnosticRelatedInformation] | None = None
    if related and finding.related:
        information = [
            types.DiagnosticRelatedInformation(
                types.Location(uri, lines.client_range(r.span, encoding)), r.message
            )
            for r in finding.related
        ]
    return types.Diagnostic(
        range=lines.client_range(finding.span, encoding),
        message=finding.message,
        severity=SEVERITIES.get(finding.severity, types.DiagnosticSeverity.Warning),
        code=finding.code,
        code_description=types.CodeDescription(href=link) if link else None,
        source="unleak",
        related_information=information,
    )


def diagnostics(
    findings: Sequence[Finding], uri: str, lines: TextLines, encoding: str, related: bool = True
) -> list[types.Diagnostic]:
    return [diagnostic(f, uri, lines, encoding, related) for f in findings]


class Converted:
    """Each finding's diagnostic, kept from one analysis of a document to the next: an edit
    converts only the findings it changed (a finding the analysis kept is the same object;
    its diagnostic is kept while the lines it points into read the same). The diagnostics
    are shared between analyses: never change one in place.

    The lines a kept finding points into are read again only when they lie where the text
    changed since the last call (lines before the change, or after it when it added or
    removed none, read the same). The findings an analysis kept around the edit, at the
    start and at the end of the list, are taken over as slices (`common_ends`): only those
    in between are looked up one by one. Of those kept, only the ones whose lowest line lies
    near the change are tested (a binary search, when the lowest lines are in order, as a
    document's sorted findings have them): an edit of one of 25,000 findings costs about
    the same as an edit of one of 100, where testing each kept one took 10 ms."""

    def __init__(self) -> None:
        # The findings last converted, each with its entry: itself, its diagnostic, the
        # lines it points into (1-based, lowest and highest) and their text.
        self._findings: list[Finding] = []
        self._entries: list[_Entry] = []
        # Each entry's lowest line and its diagnostic, in the same order; whether the lowest
        # lines are in order; the most lines any entry spans (its highest less its lowest),
        # or more.
        self._lows: list[int] = []
        self._shown: list[types.Diagnostic] = []
        self._ordered = True
        self._extent = 0
        self._how: tuple[str, str, bool, bool] | None = None
        # The lines of the text last converted (shared with it).
        self._lines: list[str] | None = None

    def diagnostics(
        self,
        findings: Sequence[Finding],
        uri: str,
        lines: TextLines,
        encoding: str,
        related: bool = True,
        linked: bool = True,
    ) -> list[types.Diagnostic]:
        how = (uri, encoding, related, linked)
        if how != self._how:
            self._findings, self._entries, self._lows, self._shown = [], [], [], []
            self._ordered, self._extent = True, 0
        old, entries = self._findings, self._entries
        # The 1-based lines that may read differently now: first..last (none if first > last).
        first, last = 1, _EVERY
        if self._lines is not None:
            start, old_end, new_end = changed_lines(self._lines, lines.lines)
            first = start + 1
            last = new_end if old_end == new_end else _EVERY
        head, tail = common_ends(old, findings)
        count, kept = len(findings), len(entries) - tail
        middle = {id(e[0]): e for e in entries[head:kept]}
        made = [middle.get(id(f), _UNSEEN) for f in findings[head : count - tail]]
        new = [*entries[:head], *made, *entries[kept:]]
        lows = [*self._lows[:head], *(e[2] for e in made), *self._lows[kept:]]
        shown = [*self._shown[:head], *(e[1] for e in made), *self._shown[kept:]]
        # The kept entries that may point into lines that changed: their lowest line at most
        # `last`, their highest at least `first` (so their lowest at least first - extent).
        at_head, at_tail = range(head), range(count - tail, count)
        if first > last:  # the same text
            at_head = at_tail = range(0)
        elif self._ordered:  # the entries kept at both ends are in order
            lowest = first - self._extent
            lo = bisect.bisect_left(lows, lowest, 0, head)
            at_head = range(lo, bisect.bisect_right(lows, last, lo, head))
            lo = bisect.bisect_left(lows, lowest, count - tail, count)
            at_tail = range(lo, bisect.bisect_right(lows, last, lo, count))
        todo = itertools.chain(at_head, range(head, count - tail), at_tail)
        for i in todo:
            entry, finding = new[i], findings[i]
            if entry[0] is not finding or (
                entry[2] <= last
                and entry[3] >= first
                # Client columns depend on the text of the lines it points into.
                and entry[4] != _read(lines, _lines_of(finding, related))
            ):
                numbers = _lines_of(finding, related)
                diagnostic_ = diagnostic(finding, uri, lines, encoding, related, linked)
                low, high = min(numbers), max(numbers)
                new[i] = (finding, diagnostic_, low, high, _read(lines, numbers))
                lows[i], shown[i] = low, diagnostic_
                self._extent = max(self._extent, high - low)
        self._findings, self._entries, self._lows, self._shown = list(findings), new, lows, shown
        # Sorted findings have their lowest lines in order when they have no related
        # locations (or those come after them): a pass in C.
        self._ordered = lows == sorted(lows)
        self._how, self._lines = how, lines.lines
        return list(shown)


def common_ends(old: Sequence[object], new: Sequence[object]) -> tuple[int, int]:
    """How many items ``old`` and ``new`` share at their start, and then at their end: the
    same objects, or equal ones (blocks of items are compared first: list comparison runs in
    C, and tells the same object equal without comparing it)."""
    most = min(len(old), len(new))
    step = 64
    head = 0
    while head + step <= most and old[head : head + step] == new[head : head + step]:
        head += step
    while head < most and old[head] is new[head]:
        head += 1
    tail = 0
    room = most - head
    o, n = len(old), len(new)
    while (
        tail + step <= room and old[o - tail - step : o - tail] == new[n - tail - step : n - tail]
    ):
        tail += step
    while tail < room and old[o - tail - 1] is new[n - tail - 1]:
        tail += 1
    return head, tail


_EVERY = 1 << 62  # past any line
_Entry = tuple[Finding, types.Diagnostic, int, int, tuple[str, ...]]
# What no finding is (an entry to make).
_UNSEEN: _Entry = (
    Finding("", "", Span(0, 0, 0, 0), Severity.WARNING),
    types.Diagnostic(types.Range(types.Position(0, 0), types.Position(0, 0)), ""),
    0,
    0,
    (),
)


def _read(lines: TextLines, numbers: list[int]) -> tuple[str, ...]:
    return tuple(lines.line(n - 1) for n in numbers)


def _lines_of(finding: Finding, related: bool) -> list[int]:
    spans = [finding.span, *(r.span for r in finding.related)] if related else [finding.span]
    return [n for s in spans for n in (s.line, s.end_line)]
