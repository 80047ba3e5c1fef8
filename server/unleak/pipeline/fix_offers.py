"""Which fixes a plain check shows as available (`[*]`, the JSON and SARIF fix fields): only
those that pass the check `--fix` and the editor hold every fix to (see `fix_check`).

The fixes are checked as `--fix` checks a pass: all that do not touch the same lines are
applied together and the module analysed once (only the definitions they changed are
analysed again); a definition where the check fails has its fixes checked one by one, and
fixes that touch the lines of an earlier one wait for the next batch. A file that does not
compile offers no fix, since `--fix` leaves it as it is.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import replace

from unleak.findings.incremental import UnitCache
from unleak.findings.model import Edit, Finding
from unleak.fixes.apply import newline_of
from unleak.pipeline import api
from unleak.pipeline.collect import batched_collection
from unleak.pipeline.fix_check import AFTER_RELEASE, check_settings, failing, scopes_of
from unleak.pipeline.fix_check import key as key_of
from unleak.pipeline.fix_parse import Reparser
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


def unit_cache() -> UnitCache:
    """The cache to analyse a module with before `offered_fixes` (it re-analyses only the
    definitions a fix changed); it keys the first analysis's units only if a fix is to be
    checked (see `UnitCache.settle`)."""
    return UnitCache(max_entries=sys.maxsize, deferred=True)


def offered_fixes(
    text: str,
    path: str,
    settings: Settings,
    module_name: str,
    report: api.ModuleReport,
    units: UnitCache | None = None,
    parser: Reparser | None = None,
) -> list[Finding]:
    """The findings of ``report`` (``text`` analysed under ``settings`` with ``units``, and
    parsed by ``parser`` if given: the texts the check analyses are then parsed by it too),
    each fix that fails its check removed."""
    findings = report.findings
    if not any(f.fix is not None for f in findings):
        return findings
    with batched_collection():
        analysis = Analysis(
            path,
            check_settings(settings),
            module_name,
            units or UnitCache(max_entries=sys.maxsize),
            parser,
        )
        before = report
        if not settings.enabled(AFTER_RELEASE):
            # The check needs the UL110 findings the user turned off (as `--fix` does).
            before = analyse(text, analysis, with_summary=False)
        holding = holding_fixes(Pass(text, newline_of(text), before.tree), before, analysis)
    return without_failing(findings, holding)


Key = tuple[str, object, str]


def key(finding: Finding) -> Key:
    return (finding.code, finding.span, finding.message)


def without_failing(findings: list[Finding], holding: set[Key]) -> list[Finding]:
    return [f if f.fix is None or key(f) in holding else replace(f, fix=None) for f in findings]


def holding_fixes(
    step: Pass,
    report: api.ModuleReport,
    analysis: Analysis,
    tried: Sequence[Finding] | None = None,
) -> set[Key]:
    """Of ``tried`` (every finding of ``report`` by default), those whose fix passes its
    check: ``report`` is the analysis of ``step.text`` under the check's settings."""
    path = analysis.path
    # Compiled from the tree the analysis parsed, when it has it (the same answer, without
    # parsing the text again).
    if not compiles(step.tree if step.tree is not None else step.text, path):
        return set()
    pending: list[tuple[Finding, list[Edit]]] = []
    for finding in report.findings if tried is None else tried:
        if finding.fix is not None and finding.fix.edits:
            edits = step.edits(finding.fix)
            if edits is not None:
                pending.append((finding, edits))
    holding: set[Key] = set()
    while pending:
        chosen = select_fixes(pending)
        chosen_ids = {id(f) for f, _ in chosen}
        pending = [p for p in pending if id(p[0]) not in chosen_ids]
        kept, new_text = compiling_subset(step, chosen, path)
        if kept:
            holding.update(_batch_holding(step, report, kept, new_text, analysis))
    return holding


def _batch_holding(
    step: Pass,
    report: api.ModuleReport,
    kept: Sequence[tuple[Finding, list[Edit]]],
    new_text: str,
    analysis: Analysis,
) -> set[Key]:
    # Only the definitions the fixes changed are compared, so only they are analysed.
    scopes = step.scopes or scopes_of(step.text, report.tree)
    changed = {key_of(scopes, f)[0] for f, _ in kept}
    after = analyse(new_text, analysis, False, False, changed)
    bad = failing(step.text, report, [f for f, _ in kept], new_text, after, scopes)
    failed = {id(f): len(fixes) for fixes in bad.values() for f in fixes}
    out: set[Key] = set()
    for finding, edits in kept:
        together = failed.get(id(finding))
        if together is None or (
            together > 1 and fix_holds_alone(step, report, finding, edits, analysis)
        ):
            out.add(key(finding))
    return out
