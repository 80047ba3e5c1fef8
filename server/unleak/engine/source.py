"""Source text and position conversion (ast byte columns to code-point columns)."""

from __future__ import annotations

import ast

from unleak.engine.findings import Span


class SourceText:
    """A module's text split into lines, converting ast positions to code-point spans."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.splitlines()

    def char_column(self, line: int, byte_col: int) -> int:
        if line < 1 or line > len(self.lines):
            return byte_col
        src = self.lines[line - 1]
        if src.isascii():
            return byte_col
        return len(src.encode("utf-8")[:byte_col].decode("utf-8", errors="replace"))

    def span(self, node: ast.AST) -> Span:
        line = getattr(node, "lineno", 1)
        col = getattr(node, "col_offset", 0)
        end_line = getattr(node, "end_lineno", None) or line
        end_col = getattr(node, "end_col_offset", None)
        if end_col is None:
            end_col = col
        return Span(
            line,
            self.char_column(line, col),
            end_line,
            self.char_column(end_line, end_col),
        )

    def line_text(self, line: int) -> str:
        return self.lines[line - 1] if 0 < line <= len(self.lines) else ""
