"""The fix loop: apply the findings' fixes, analyse again, repeat until nothing is left to fix.

Positions are the engine's (see `unleak.fixes.apply`).
"""

from __future__ import annotations

import re
import sys
import warnings
from bisect import bisect_left, bisect_right, insort
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from unleak.findings.incremental import UnitCache
from unleak.findings.model import Edit, Finding, Fix
from unleak.fixes.apply import LineIndex, apply_edits, fixable, newline_of, ranges
from unleak.index.model import ModuleSummary
from unleak.pipeline import api
from unleak.pipeline.collect import batched_collection, collect_if_due
from unleak.pipeline.fix_check import check_settings, failing
from unleak.settings import Settings

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass
class FixResult:
    text: str
    applied: list[Finding] = field(default_factory=list)  # each in its pass's coordinates
    remaining: list[Finding] = field(default_factory=list)
    # What other modules need to know about the fixed text (from its last analysis).
    exports: dict[str, tuple[str, tuple[str | None, ...]]] = field(default_factory=dict)
    imports: frozenset[str] = frozenset()
    summary: ModuleSummary | None = None  # for the project index (see `api.report_of`)

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


def _select(candidates: list[tuple[Finding, list[Edit]]]) -> list[tuple[Finding, list[Edit]]]:
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
    with batched_collection():
        return _fix_source(
            text, path, settings, unsafe=unsafe, module_name=module_name, max_passes=max_passes
        )


_Analysis = tuple[str, Settings, str, UnitCache]  # path, settings, module name, unit cache


def _analyse(text: str, analysis: _Analysis) -> api.ModuleReport:
    path, settings, module_name, units = analysis
    report = api.analyse_source(text, path, settings, module_name, units)
    collect_if_due()
    return report


def _fix_source(
    text: str,
    path: str,
    settings: Settings | None = None,
    *,
    unsafe: bool = False,
    module_name: str = "",
    max_passes: int = 10,
) -> FixResult:
    user = settings or Settings()
    settings = check_settings(user)  # the fixes' check needs UL110 whatever the user chose
    # Unbounded: every definition's findings are reused in the next pass if it is unchanged.
    analysis: _Analysis = (path, settings, module_name, UnitCache(max_entries=sys.maxsize))
    report = _analyse(text, analysis)
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
        new_report = _analyse(new_text, analysis)
        kept, new_text, new_report = _self_checked(
            step, report, kept, new_text, new_report, rejected, analysis
        )
        if not kept or new_text in seen:
            continue
        seen.add(new_text)
        applied.extend(f for f, _ in kept)
        text = new_text
        report = new_report
    remaining = [f for f in report.findings if user.enabled(f.code)]
    return FixResult(text, applied, remaining, report.exports, report.imports, report.summary)


def _self_checked(
    step: _Pass,
    report: api.ModuleReport,
    kept: list[tuple[Finding, list[Edit]]],
    new_text: str,
    new_report: api.ModuleReport,
    rejected: set[tuple[Any, ...]],
    analysis: _Analysis,
) -> tuple[list[tuple[Finding, list[Edit]]], str, api.ModuleReport]:
    """The pass without the fixes that fail their check (see `fix_check`), its text and its
    analysis. A definition with one failing fix loses it; one holding several is checked
    fix by fix."""
    bad = failing(step.text, report.findings, [f for f, _ in kept], new_text, new_report.findings)
    if not bad:
        return kept, new_text, new_report
    drop: set[int] = set()
    edits_of = {id(f): e for f, e in kept}
    for fixes in bad.values():
        for finding in fixes:
            if len(fixes) > 1 and fix_holds_alone(
                step, report, finding, edits_of[id(finding)], analysis
            ):
                continue
            drop.add(id(finding))
            rejected.add(step.key(finding))
    kept = [(f, e) for f, e in kept if id(f) not in drop]
    if not kept:
        return [], step.text, report
    new_text = step.apply([e for _, e in kept])
    new_report = _analyse(new_text, analysis)
    # What is left passed alone or with the others: check once more, dropping the rest.
    again = failing(step.text, report.findings, [f for f, _ in kept], new_text, new_report.findings)
    if again:
        for fixes in again.values():
            rejected.update(step.key(f) for f in fixes)
        return [], step.text, report
    return kept, new_text, new_report


def fix_holds_alone(
    step: _Pass,
    report: api.ModuleReport,
    finding: Finding,
    edits: list[Edit],
    analysis: _Analysis,
) -> bool:
    text = step.apply([edits])
    if not compiles(text, analysis[0]):
        return False
    after = _analyse(text, analysis)
    return not failing(step.text, report.findings, [finding], text, after.findings)
