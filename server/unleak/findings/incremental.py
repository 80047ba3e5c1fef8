"""Results per definition, kept between analyses of the same document.

A function's leak findings depend only on its own text, on what the module says about names
(imports, resource classes, module-level types) and on the summaries of the functions it
calls. An editor re-analysing a document after an edit reuses the findings of every
function whose text and context did not change, shifted to its new line.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from unleak.findings.model import Edit, Finding, Fix, Related
from unleak.source.spans import Span

_LINE = re.compile(r"\bline (\d+)\b")

Fingerprint = tuple[object, ...]


@dataclass
class UnitEntry:
    first_line: int
    findings: list[Finding]
    consulted: dict[str, Fingerprint] = field(default_factory=dict)
    # Whether the findings have their fixes: an analysis that builds fixes (not one that only
    # compares findings, as a fix's check does) needs an entry that has them.
    fixes: bool = True


def shift(finding: Finding, delta: int) -> Finding:
    """A finding moved `delta` lines: positions, and the line numbers its text mentions
    (every one of them lies inside the same definition)."""
    return moved(finding, 0, delta)


def moved(finding: Finding, after: int, delta: int) -> Finding:
    """A finding with every position (and line number in its text) past line ``after``
    moved by ``delta`` lines."""
    if delta == 0:
        return finding

    def span(s: Span) -> Span:
        if s.line <= after:
            if s.end_line <= after:
                return s
            return replace(s, end_line=s.end_line + delta)
        return s.shifted(delta)

    def text(s: str) -> str:
        return _LINE.sub(
            lambda m: m.group(0) if int(m.group(1)) <= after else f"line {int(m.group(1)) + delta}",
            s,
        )

    fix = finding.fix
    if fix is not None:
        edits = tuple(Edit(span(e.span), e.new_text) for e in fix.edits)
        fix = Fix(fix.description, fix.safe, edits)
    return replace(
        finding,
        message=text(finding.message),
        span=span(finding.span),
        related=tuple(Related(span(r.span), text(r.message)) for r in finding.related),
        fix=fix,
        details=tuple((k, text(v)) for k, v in finding.details),
    )


class UnitCache:
    """Findings per (context, definition text); bounded, oldest entries dropped first.

    A deferring cache (``deferred=True``) is for a first analysis that may have no use for
    it: the command line checks fixes by analysing the fixed text with the cache, but most
    files offer no fix. Until `settle`, an analysis neither looks units up (the cache is
    empty) nor keys them: it records what it computed, and `settle` keys and keeps it only
    when asked (keying a unit reads its text and context: a sixth of a plain check's time).
    """

    def __init__(self, max_entries: int = 8192, deferred: bool = False) -> None:
        self.max_entries = max_entries
        self._entries: dict[tuple[object, str], UnitEntry] = {}
        self.deferring = deferred
        # (the analysis that computed it, how to key and keep it), until `settle`.
        self._deferred: list[tuple[object, Callable[[], None]]] = []
        # The words of a definition's text (what its names depend on), by its text.
        self._words: dict[str, frozenset[str]] = {}
        self.hits = 0
        self.misses = 0

    def get(self, key: tuple[object, str]) -> UnitEntry | None:
        return self._entries.get(key)

    def put(self, key: tuple[object, str], entry: UnitEntry) -> None:
        if key not in self._entries and len(self._entries) >= self.max_entries:
            self._entries.pop(next(iter(self._entries)))
        self._entries[key] = entry

    def defer(self, owner: object, keep: Callable[[], None]) -> None:
        """Record a result of ``owner`` (an analysis) that ``keep()`` keys and puts."""
        self._deferred.append((owner, keep))

    def settle(self, keep: bool) -> None:
        """Stop deferring: key and put what was recorded (``keep``: each while its analysis
        is still alive), or let go of it."""
        pending, self._deferred = self._deferred, []
        self.deferring = False
        if keep:
            for _, store in pending:
                store()

    def forget(self, owner: object) -> None:
        """Let go of what ``owner`` recorded (it is going away: its results cannot be keyed)."""
        self._deferred = [d for d in self._deferred if d[0] is not owner]

    def words(self, text: str, pattern: re.Pattern[str]) -> frozenset[str]:
        """The matches of ``pattern`` (always the same one) in ``text``."""
        found = self._words.get(text)
        if found is None:
            if len(self._words) >= self.max_entries:
                self._words.clear()
            # Interned: the members of a class share most of their words.
            found = self._words[text] = frozenset(map(sys.intern, pattern.findall(text)))
        return found

    def __len__(self) -> int:
        return len(self._entries)
