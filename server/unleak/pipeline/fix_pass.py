"""One pass of fixes: which fixes go together, the text with them applied, and the analyses
that check them (see `fix_check`). Shared by the fix loop and by what a plain check offers.

Positions are the engine's (see `unleak.fixes.apply`).
"""

from __future__ import annotations

import ast
import re
import warnings
from bisect import bisect_left, bisect_right, insort
from collections.abc import Collection, Sequence
from typing import Any, NamedTuple

from unleak.findings.incremental import UnitCache
from unleak.findings.model import Edit, Finding, Fix
from unleak.fixes.apply import LineIndex, apply_edits, ranges
from unleak.pipeline import api
from unleak.pipeline.collect import collect_if_due
from unleak.pipeline.fix_check import Scope, Scopes, failing, scopes_of
from unleak.pipeline.fix_check import key as scope_key
from unleak.pipeline.fix_parse import Reparser
from unleak.settings import Settings

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def compiles(text: str | ast.Module, path: str, flags: int = 0) -> bool:
    """Whether the text (or a tree parsed from it) compiles."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(text, path, "exec", flags=flags, dont_inherit=True)
    except (SyntaxError, ValueError, OverflowError, RecursionError, MemoryError, TypeError):
        return False
    return True


class _TopLevel:
    """Where each top-level statement of a tree lies in its text (offsets, its decorators
    included, up to the end of its last line), and the module's `__future__` flags."""

    def __init__(self, tree: ast.Module, index: LineIndex) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.future = 0
        self.future_end = -1  # where the last `from __future__` import ends
        for stmt in tree.body:
            first = min([stmt.lineno, *(d.lineno for d in getattr(stmt, "decorator_list", ()))])
            last = stmt.end_lineno or stmt.lineno
            self.starts.append(index.starts[first - 1])
            self.ends.append(index.ends[last - 1])
            if isinstance(stmt, ast.ImportFrom) and stmt.module == "__future__":
                self.future_end = self.ends[-1]
                for alias in stmt.names:
                    feature = getattr(__import__("__future__"), alias.name, None)
                    self.future |= getattr(feature, "compiler_flag", 0)

    def holding(self, start: int, end: int) -> int | None:
        """The statement whose text strictly holds the range (not at its very start)."""
        i = bisect_right(self.starts, start) - 1
        if i >= 0 and self.starts[i] < start and end <= self.ends[i]:
            return i
        return None

    def between(self, text: str, start: int, end: int, new_text: str) -> bool:
        """Whether the edit inserts whole lines between top-level statements, after the
        `__future__` imports (and none of its own): if what it inserts compiles alone, the
        text compiles with it as it did without it."""
        return (
            start == end
            and (start == 0 or text[start - 1] == "\n")
            and start > self.future_end
            and new_text.endswith("\n")
            and "__future__" not in new_text
            and self.holding(start, end) is None
        )


class Pass:
    """One pass: the text, its line index, and the fixes chosen for it. ``tree``: the text's
    tree, when it is known to compile (then only the statements fixes change are compiled
    again to check them)."""

    def __init__(self, text: str, newline: str, tree: ast.Module | None = None) -> None:
        self.text = text
        self.index = LineIndex(text)
        self.newline = newline
        self.tree = tree
        self._top: _TopLevel | None = None
        # The definitions of the text, found before a `Reparser` moves the tree's statements
        # to another text's lines (when the tree is one of its).
        self.scopes: Scopes | None = None
        if tree is not None:
            self._top = _TopLevel(tree, self.index)
            self.scopes = scopes_of(text, tree)

    def compiles(self, chosen: Sequence[list[Edit]], path: str) -> bool:
        """Whether the text compiles with the edits applied. With the tree of a text that
        compiles, and edits all inside top-level statements, only those statements are
        compiled (each alone, with the module's `__future__` flags): whether one compiles
        does not depend on the others; so are whole lines inserted between statements after
        the `__future__` imports (an import added). Any other edit compiles it all."""
        if self.tree is None:
            return compiles(self.apply(chosen), path)
        if self._top is None:
            self._top = _TopLevel(self.tree, self.index)
        top = self._top
        edits = [e for edits in chosen for e in edits]
        try:
            spans = ranges(self.index, list(dict.fromkeys(edits)))
        except ValueError:
            return False
        touched: dict[int, list[tuple[int, int, str]]] = {}
        text = self.text
        inserted: list[str] = []  # statements added between others (an import)
        for start, end, new_text in spans:
            i = top.holding(start, end)
            if i is None and top.between(text, start, end, new_text):
                inserted.append(new_text)
                continue
            if (
                i is None
                or isinstance(self.tree.body[i], ast.ImportFrom)
                # The docstring before the `__future__` imports: they must stay first.
                or top.starts[i] < top.future_end
            ):
                return compiles(self.apply(chosen), path)
            touched.setdefault(i, []).append((start, end, new_text))
        if inserted and not compiles("".join(inserted), path, top.future):
            # It may still continue the statement before it (`else:`) or lead the next one
            # (a decorator).
            return compiles(self.apply(chosen), path)
        for i, parts in touched.items():
            done = top.starts[i]
            pieces: list[str] = []
            for start, end, new_text in parts:
                pieces += [text[done:start], new_text]
                done = end
            pieces.append(text[done : top.ends[i]])
            if not compiles("".join(pieces), path, top.future):
                return False
        return True

    def edits(self, fix: Fix) -> list[Edit] | None:
        """The fix's edits with the text's line breaks, or None if they are invalid here."""
        edits = [
            e if not _LINE_BREAK.search(e.new_text) else Edit(e.span, self._eol(e.new_text))
            for e in fix.edits
        ]
        try:
            ranges(self.index, edits)
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
        # Fixes that need the same new line (`import contextlib`) insert it once.
        edits = [e for edits in chosen for e in edits]
        return apply_edits(self.text, list(dict.fromkeys(edits)) if len(chosen) > 1 else edits)


def _line_insertion(edit: Edit) -> bool:
    """Whole lines inserted before a line (an import, a module-level set): several fixes of
    a pass may add lines at the same place, or the very same line."""
    s = edit.span
    return s.line == s.end_line and s.column == s.end_column == 0


class _Footprint:
    """Where a fix edits: the lines it rewrites (first, last), and the lines before which it
    only inserts new ones."""

    def __init__(self, edits: Sequence[Edit]) -> None:
        body = [e for e in edits if not _line_insertion(e)]
        self.points = sorted({e.span.line for e in edits if _line_insertion(e)})
        self.hull: tuple[int, int] | None = (
            (min(e.span.line for e in body), max(e.span.end_line for e in body)) if body else None
        )

    def order(self) -> tuple[int, int]:
        return self.hull or (self.points[0], self.points[0])


def select_fixes(candidates: list[tuple[Finding, list[Edit]]]) -> list[tuple[Finding, list[Edit]]]:
    """In position order, each fix whose lines no chosen fix touches (lines inserted at the
    same place by several fixes do not count as touching)."""
    chosen: list[tuple[Finding, list[Edit]]] = []
    feet = [(_Footprint(edits), finding, edits) for finding, edits in candidates]
    feet.sort(key=lambda c: (c[0].order(), c[1].sort_key()))
    # The chosen rewritten ranges (disjoint, in order) and insertion lines, kept sorted: each
    # fix is checked against them with a few bisections, not against every chosen fix.
    starts: list[int] = []
    ends: list[int] = []
    points: list[int] = []
    reach = 0  # the last line a chosen rewrite reaches (hulls come in order of their start)
    for foot, finding, edits in feet:
        hull = foot.hull
        if hull is not None:
            first, last = hull
            if first <= reach:
                continue
            i = bisect_left(points, first)
            if i < len(points) and points[i] <= last:
                continue  # it would rewrite lines another fix inserts before
        if any(_inside(starts, ends, line) for line in foot.points):
            continue
        chosen.append((finding, edits))
        if hull is not None:
            starts.append(hull[0])
            ends.append(hull[1])
            reach = max(reach, hull[1])
        for line in foot.points:
            insort(points, line)
    return chosen


def _inside(starts: list[int], ends: list[int], line: int) -> bool:
    """Whether a chosen rewrite covers the line (new lines would land inside it)."""
    i = bisect_right(starts, line) - 1
    return i >= 0 and line <= ends[i]


def compiling_subset(
    step: Pass, chosen: list[tuple[Finding, list[Edit]]], path: str
) -> tuple[list[tuple[Finding, list[Edit]]], str]:
    """The fixes to keep (the text still compiles with them) and the resulting text.

    All at once if they compile; otherwise each half is tried on top of what was kept."""
    kept: list[tuple[Finding, list[Edit]]] = []
    # Halves in order, depth first (what is kept stays in position order). A loop, not a
    # recursive closure: that would be a reference cycle keeping the pass and its tree alive
    # until the garbage collector traverses them.
    todo = [chosen]
    while todo:
        group = todo.pop()
        if not group:
            continue
        if step.compiles([edits for _, edits in kept + group], path):
            kept.extend(group)
        elif len(group) > 1:
            half = len(group) // 2
            todo.append(group[half:])
            todo.append(group[:half])
    return kept, step.apply([edits for _, edits in kept])


class Analysis(NamedTuple):
    """How the texts of a check are analysed."""

    path: str
    settings: Settings
    module_name: str
    units: UnitCache
    # Parses each text reusing the trees of the chunks no fix changed; None: each text is
    # parsed whole. Its trees move from one text to the next (see `Pass.scopes`).
    parser: Reparser | None = None


def analyse(
    text: str,
    analysis: Analysis,
    with_summary: bool = True,
    fixes: bool = True,
    scopes: Collection[Scope] | None = None,
) -> api.ModuleReport:
    """``with_summary``: the report also has the module's summary for the project index;
    ``fixes``: its findings have their fixes (checking a fix needs neither, only the
    findings); ``scopes``: the definitions whose findings are asked for (`fix_check`): the
    others' own analyses are skipped, so their findings are missing."""
    path, settings, module_name, units, parser = analysis
    parsed = parser.parse(text) if parser is not None else None
    only = None
    if scopes is not None and () not in scopes and parsed is not None and not parsed.errors:
        spans = {found: (first, last) for first, last, found in scopes_of(text, parsed.tree).spans}
        if all(scope in spans for scope in scopes):
            only = [spans[scope] for scope in scopes]
    report = api.analyse_source(
        text,
        path,
        settings,
        module_name,
        units,
        keep_tree=True,
        with_summary=with_summary,
        fixes=fixes,
        parsed=parsed,
        only=only,
    )
    collect_if_due()
    return report


def fix_holds_alone(
    step: Pass,
    report: api.ModuleReport,
    finding: Finding,
    edits: list[Edit],
    analysis: Analysis,
) -> bool:
    if not step.compiles([edits], analysis.path):
        return False
    text = step.apply([edits])
    scopes = step.scopes or scopes_of(step.text, report.tree)
    after = analyse(text, analysis, False, False, {scope_key(scopes, finding)[0]})
    return not failing(step.text, report, [finding], text, after, scopes)
