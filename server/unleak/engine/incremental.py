"""Results per definition, kept between analyses of the same document.

A function's leak findings depend only on its own text, on what the module says about names
(imports, resource classes, module-level types) and on the summaries of the functions it
calls. An editor re-analysing a document after an edit reuses the findings of every
function whose text and context did not change, shifted to its new line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from unleak.engine.findings import Finding, Related

_LINE = re.compile(r"\bline (\d+)\b")

Fingerprint = tuple[object, ...]


@dataclass
class UnitEntry:
    first_line: int
    findings: list[Finding]
    consulted: dict[str, Fingerprint] = field(default_factory=dict)


def shift(finding: Finding, delta: int) -> Finding:
    """A finding moved `delta` lines: positions, and the line numbers its text mentions
    (every one of them lies inside the same definition)."""
    if delta == 0:
        return finding

    def text(s: str) -> str:
        return _LINE.sub(lambda m: f"line {int(m.group(1)) + delta}", s)

    moved = finding.shifted(delta)
    return replace(
        moved,
        message=text(moved.message),
        related=tuple(Related(r.span, text(r.message)) for r in moved.related),
        details=tuple((k, text(v)) for k, v in moved.details),
    )


class UnitCache:
    """Findings per (context, definition text); bounded, oldest entries dropped first."""

    def __init__(self, max_entries: int = 8192) -> None:
        self.max_entries = max_entries
        self._entries: dict[tuple[object, str], UnitEntry] = {}
        self.hits = 0
        self.misses = 0

    def get(self, key: tuple[object, str]) -> UnitEntry | None:
        return self._entries.get(key)

    def put(self, key: tuple[object, str], entry: UnitEntry) -> None:
        if key not in self._entries and len(self._entries) >= self.max_entries:
            self._entries.pop(next(iter(self._entries)))
        self._entries[key] = entry

    def __len__(self) -> int:
        return len(self._entries)
