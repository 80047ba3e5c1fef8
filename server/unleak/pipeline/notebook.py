"""Findings of a notebook: the joined module's, moved into the cells they lie in.

The joined module (:mod:`unleak.source.notebook`) is analysed like any module; each finding
then counts its lines within its own cell. What cannot be said within one cell is left out:
a related location in another cell (its message names the cell instead), and a fix whose
edits leave the cell or touch a masked line of IPython syntax.
"""

from __future__ import annotations

import re
from dataclasses import replace

from unleak.findings.model import Edit, Finding, Fix, Related
from unleak.source.notebook import CellMap
from unleak.source.spans import Span

_LINE = re.compile(r"\bline (\d+)\b")


def _span(cmap: CellMap, k: int, span: Span) -> Span:
    start = cmap.starts[k] - 1
    return Span(span.line - start, span.column, span.end_line - start, span.end_column)


def cell_words(cmap: CellMap, k: int, text: str) -> str:
    """A message's "line 42" (of the joined module) as the cell's line, or another cell's."""

    def local(match: re.Match[str]) -> str:
        line = int(match.group(1))
        j = cmap.locate(line)
        if j is None:
            return match.group(0)
        if j == k:
            return f"line {cmap.cell_line(j, line)}"
        return f"line {cmap.cell_line(j, line)} of cell {cmap.number(j)}"

    return _LINE.sub(local, text)


def _fix(cmap: CellMap, k: int, fix: Fix | None) -> Fix | None:
    if fix is None:
        return None
    for e in fix.edits:
        s = e.span
        if not cmap.within(k, s.line, s.end_line, s.end_column):
            return None
        if cmap.touches_masked(s.line, s.end_line if s.end_column else s.end_line - 1):
            return None
    return Fix(
        fix.description,
        fix.safe,
        tuple(Edit(_span(cmap, k, e.span), e.new_text) for e in fix.edits),
    )


def in_cell(finding: Finding, cmap: CellMap, k: int, fixes: bool = True) -> Finding:
    """``finding`` (of the joined module, in cell ``k``) in the cell's own positions."""
    s = finding.span
    end_line, end_column = s.end_line, s.end_column
    if not cmap.within(k, s.line, end_line, end_column):
        # A span running past its cell (it cannot in valid code): cut at the cell's end.
        end_line, end_column = cmap.starts[k] + cmap.lengths[k], 0
    related = tuple(
        Related(_span(cmap, k, r.span), cell_words(cmap, k, r.message))
        for r in finding.related
        if cmap.within(k, r.span.line, r.span.end_line, r.span.end_column)
    )
    return replace(
        finding,
        message=cell_words(cmap, k, finding.message),
        span=_span(cmap, k, Span(s.line, s.column, end_line, end_column)),
        related=related,
        fix=_fix(cmap, k, finding.fix) if fixes else None,
        details=tuple((key, cell_words(cmap, k, value)) for key, value in finding.details),
        cell=cmap.number(k),
    )


def to_cells(findings: list[Finding], cmap: CellMap, fixes: bool = True) -> list[Finding]:
    """Every finding in its cell's positions (``cell`` set); ``fixes=False`` drops fixes."""
    out = []
    for f in findings:
        k = cmap.locate(f.span.line)
        if k is not None:
            out.append(in_cell(f, cmap, k, fixes))
    return out


def of_cell(findings: list[Finding], cmap: CellMap, k: int) -> list[Finding]:
    """The findings of cell ``k`` in its own positions (what an editor shows in it)."""
    return [in_cell(f, cmap, k) for f in findings if cmap.locate(f.span.line) == k]
