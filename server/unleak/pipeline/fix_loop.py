"""The fix loop: apply the findings' fixes, analyse again, repeat until nothing is left to fix.

Positions are the engine's (see `unleak.fixes.apply`).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from unleak.findings.incremental import UnitCache
from unleak.findings.model import Edit, Finding, Fix
from unleak.fixes.apply import LineIndex, apply_edits, fixable, newline_of, ranges
from unleak.index.model import ModuleSummary
from unleak.pipeline import api
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
        return apply_edits(self.text, [e for edits in chosen for e in edits])


def _lines(edits: Sequence[Edit]) -> tuple[int, int]:
    return min(e.span.line for e in edits), max(e.span.end_line for e in edits)


def _select(candidates: list[tuple[Finding, list[Edit]]]) -> list[tuple[Finding, list[Edit]]]:
    """In position order, each fix whose lines no chosen fix touches."""
    chosen: list[tuple[Finding, list[Edit]]] = []
    # Sorted by first line, a fix overlaps a chosen one exactly when it starts at or before
    # the last line any chosen fix reaches: one comparison each, not one per chosen fix.
    reach = 0
    for finding, edits in sorted(candidates, key=lambda c: (_lines(c[1]), c[0].sort_key())):
        first, last = _lines(edits)
        if first <= reach:
            continue
        chosen.append((finding, edits))
        reach = max(reach, last)
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
    user = settings or Settings()
    settings = check_settings(user)  # the fixes' check needs UL110 whatever the user chose
    units = UnitCache()
    report = api.analyse_source(text, path, settings, module_name, units)
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
        new_report = api.analyse_source(new_text, path, settings, module_name, units)
        kept, new_text, new_report = _self_checked(
            step, report, kept, new_text, new_report, rejected, (path, settings, module_name, units)
        )
        if not kept or new_text in seen:
            continue
        seen.add(new_text)
        applied.extend(f for f, _ in kept)
        text = new_text
        report = new_report
    remaining = [f for f in report.findings if user.enabled(f.code)]
    return FixResult(text, applied, remaining, report.exports, report.imports, report.summary)


_Analysis = tuple[str, Settings, str, UnitCache]


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
    path, settings, module_name, units = analysis
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
    new_report = api.analyse_source(new_text, path, settings, module_name, units)
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
    path, settings, module_name, units = analysis
    text = step.apply([edits])
    if not compiles(text, path):
        return False
    after = api.analyse_source(text, path, settings, module_name, units)
    return not failing(step.text, report.findings, [finding], text, after.findings)
