"""What the engine reports: findings with positions, the leaking path, and optional fixes."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from unleak.settings import Severity
from unleak.source.spans import Span


@dataclass(frozen=True)
class Related:
    """A secondary location that explains a finding (acquired here, escapes here)."""

    span: Span
    message: str


@dataclass(frozen=True)
class Edit:
    span: Span
    new_text: str

    def shifted(self, lines: int) -> Edit:
        return Edit(self.span.shifted(lines), self.new_text)


@dataclass(frozen=True)
class Fix:
    description: str
    safe: bool
    edits: tuple[Edit, ...]

    def shifted(self, lines: int) -> Fix:
        return Fix(self.description, self.safe, tuple(e.shifted(lines) for e in self.edits))


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    span: Span
    severity: Severity
    related: tuple[Related, ...] = ()
    fix: Fix | None = None
    # Machine-readable story of the leak (what, where acquired, which path), for hover.
    details: tuple[tuple[str, str], ...] = field(default=())
    # In a notebook: the cell (1-based among all its cells) the span's lines count in.
    cell: int | None = None

    def shifted(self, lines: int) -> Finding:
        if lines == 0:
            return self
        return replace(
            self,
            span=self.span.shifted(lines),
            related=tuple(Related(r.span.shifted(lines), r.message) for r in self.related),
            fix=self.fix.shifted(lines) if self.fix else None,
        )

    def sort_key(self) -> tuple[int, int, str]:
        return (self.span.line, self.span.column, self.code)
