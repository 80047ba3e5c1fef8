"""Positions in source text."""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True, order=True)
class Span:
    """A source range: 1-based lines, 0-based code-point columns, end exclusive."""

    line: int
    column: int
    end_line: int
    end_column: int

    def shifted(self, lines: int) -> Span:
        return replace(self, line=self.line + lines, end_line=self.end_line + lines)
