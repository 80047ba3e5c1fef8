"""The fix loop: apply the findings' fixes, analyse again, repeat until nothing is left to fix.

Positions are the engine's (see `unleak.fixes.apply`).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any

from unleak.findings.incremental import UnitCache
from unleak.findings.model import Edit, Finding
from unleak.fixes.apply import fixable, newline_of
from unleak.index.model import ModuleSummary
from unleak.pipeline import api
from unleak.pipeline.collect import batched_collection
from unleak.pipeline.fix_check import check_settings, failing
from unleak.pipeline.fix_offers import holding_fixes, without_failing
from unleak.pipeline.fix_pass import (
    Analysis,
    Pass,
    analyse,
    compiles,
    compiling_subset,
    fix_holds_alone,
    select_fixes,
)
from unleak.settings import Settings


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


# The automatic collector is paused while a file is fixed (see pipeline/collect.py).
@batched_collection()
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
    # Unbounded: every definition's findings are reused in the next pass if it is unchanged.
    analysis = Analysis(path, settings, module_name, UnitCache(max_entries=sys.maxsize))
    report = analyse(text, analysis)
    newline = newline_of(text)
    applied: list[Finding] = []
    rejected: set[tuple[Any, ...]] = set()  # fixes that broke compilation or did nothing
    seen = {text}
    checked = False
    for _ in range(max_passes):
        step = Pass(text, newline)
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
        chosen = select_fixes(candidates)
        kept, new_text = compiling_subset(step, chosen, path)
        kept_ids = {id(f) for f, _ in kept}
        rejected.update(step.key(f) for f, _ in chosen if id(f) not in kept_ids)
        if not kept:
            continue  # what waited for this pass's fixes is tried in the next one
        if new_text in seen:
            # The fixes undo an earlier pass (or change nothing): stop going round in circles.
            rejected.update(step.key(f) for f, _ in kept)
            continue
        new_report = analyse(new_text, analysis)
        kept, new_text, new_report = _self_checked(
            step, report, kept, new_text, new_report, rejected, analysis
        )
        if not kept or new_text in seen:
            continue
        seen.add(new_text)
        applied.extend(f for f, _ in kept)
        text = new_text
        report = new_report
    # What is left offers only the fixes that pass their check (`--fix --unsafe-fixes`
    # would apply them), as a plain check does; those this run rejected are known to fail.
    final = Pass(text, newline)
    untried = [f for f in report.findings if f.fix and f.fix.edits and final.key(f) not in rejected]
    holding = holding_fixes(final, report, analysis, untried) if untried else set()
    remaining = without_failing([f for f in report.findings if user.enabled(f.code)], holding)
    return FixResult(text, applied, remaining, report.exports, report.imports, report.summary)


def _self_checked(
    step: Pass,
    report: api.ModuleReport,
    kept: list[tuple[Finding, list[Edit]]],
    new_text: str,
    new_report: api.ModuleReport,
    rejected: set[tuple[Any, ...]],
    analysis: Analysis,
) -> tuple[list[tuple[Finding, list[Edit]]], str, api.ModuleReport]:
    """The pass without the fixes that fail their check (see `fix_check`), its text and its
    analysis. A definition with one failing fix loses it; one holding several is checked
    fix by fix."""
    bad = failing(step.text, report, [f for f, _ in kept], new_text, new_report)
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
    new_report = analyse(new_text, analysis)
    # What is left passed alone or with the others: check once more, dropping the rest.
    again = failing(step.text, report, [f for f, _ in kept], new_text, new_report)
    if again:
        for fixes in again.values():
            rejected.update(step.key(f) for f in fixes)
        return [], step.text, report
    return kept, new_text, new_report
