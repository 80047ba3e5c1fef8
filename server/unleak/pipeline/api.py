"""The analysis pipeline's entry points, shared by every front end: a module's text is
analysed (findings), checked by the rules, and given its fixes."""

from __future__ import annotations

import ast
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from unleak.findings.incremental import UnitCache
from unleak.findings.model import Finding
from unleak.findings.module import Hooks, ModuleAnalysis
from unleak.fixes.registry import build_fix
from unleak.index.extract import summarise
from unleak.index.model import ModuleSummary
from unleak.rules.runner import SEVERITIES, run_rules
from unleak.settings import Settings
from unleak.source.parsing import ParsedModule

# The rules' severities and the fixes, as the engine sees them.
HOOKS = Hooks(SEVERITIES, build_fix)
# The same without the fixes: an editor builds a finding's fix when it is asked for (a code
# action, a hover), so that an analysis neither builds nor depends on fixes.
NO_FIXES = Hooks(SEVERITIES)


def check_source(
    text: str, path: str = "<stdin>", settings: Settings | None = None
) -> list[Finding]:
    """Analyse one module's text and return its findings, sorted by position.

    Never raises for bad input: syntax errors become UL001 findings.
    """
    return analyse_source(text, path, settings).findings


@dataclass(frozen=True)
class ModuleReport:
    findings: list[Finding]
    # Functions of this module that return a fresh resource: qualified name -> resource type
    # and tuple element types. Other modules' calls of them are acquisitions.
    exports: dict[str, tuple[str, tuple[str | None, ...]]] = field(default_factory=dict)
    # Qualified names this module imports (to know which exports it may use).
    imports: frozenset[str] = frozenset()
    # What the project index needs of this module (only from an analysis without the index).
    summary: ModuleSummary | None = None
    # The module's tree, when asked for (`keep_tree`) and it parsed without errors.
    tree: ast.Module | None = field(default=None, repr=False, compare=False)
    # With `view_of`: the view of the project index the findings were computed with.
    view: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


def analyse_source(
    text: str,
    path: str = "<stdin>",
    settings: Settings | None = None,
    module_name: str = "",
    unit_cache: UnitCache | None = None,
    *,
    keep_tree: bool = False,
    with_summary: bool = True,
    fixes: bool = True,
    view_of: Callable[[ModuleSummary], dict[str, Any]] | None = None,
    parsed: ParsedModule | None = None,
    only: Sequence[tuple[int, int]] | None = None,
) -> ModuleReport:
    """Like `check_source`, also returning what other modules need to know about this one.

    `module_name` (dotted) resolves relative imports and names the exports;
    `settings.external_summaries` holds other modules' exports. An editor passes the same
    `unit_cache` for every analysis of a document: functions whose text and context did not
    change reuse their findings. ``keep_tree``: the report keeps the module's tree;
    ``with_summary``: see `report_of`; ``fixes=False``: the findings come without fixes
    (checking a fix compares findings only). ``view_of``: the module is summarised first
    (without other modules' exports), and its findings are those under the exports
    ``view_of`` gives for that summary (`ModuleReport.view`), from the same tree.
    ``parsed``: the text's tree, when the caller parsed it (see `fix_parse.Reparser`).
    ``only``: the line ranges whose definitions alone are analysed (see `ModuleAnalysis`):
    the findings of other definitions are then missing.
    """
    settings = settings or Settings()
    if view_of is not None and settings.external_summaries:
        settings = replace(settings, external_summaries={})
    hooks = HOOKS if fixes else NO_FIXES
    analysis = ModuleAnalysis(
        text, path, settings, module_name, unit_cache, hooks=hooks, parsed=parsed, only=only
    )
    view: dict[str, Any] = {}
    names = (analysis.source, analysis.resolver)  # for an analysis under the view, if any
    try:
        parsed = analysis.parsed
        if view_of is None:
            report = report_of(analysis, with_summary)
        else:
            summary = summarise(analysis, parsed.tree)
            view = view_of(summary)
            if not view:
                report = replace(report_of(analysis, with_summary=False), summary=summary)
        if not view:
            _settle(unit_cache, report)
    finally:
        analysis.dispose()
    if view:
        analysis = ModuleAnalysis(
            text,
            path,
            replace(settings, external_summaries=view),
            module_name,
            unit_cache,
            hooks=hooks,
            parsed=parsed,
            only=only,
            names=names,
        )
        try:
            report = replace(report_of(analysis, with_summary=False), summary=summary, view=view)
            _settle(unit_cache, report)
        finally:
            analysis.dispose()
    if keep_tree and not parsed.errors:
        report = replace(report, tree=parsed.tree)
    return report


def _settle(unit_cache: UnitCache | None, report: ModuleReport) -> None:
    """A deferring unit cache keeps the units' results only when a fix is to be checked
    (its check analyses the fixed text with the cache)."""
    if unit_cache is not None and unit_cache.deferring:
        unit_cache.settle(keep=any(f.fix is not None for f in report.findings))


def report_of(analysis: ModuleAnalysis, with_summary: bool = True) -> ModuleReport:
    """``with_summary``: also the module's summary for the project index (an editor's index
    summarises open documents itself, after a pause in typing)."""
    findings = run_rules(analysis, module_wide=True)
    summary = (
        summarise(analysis, analysis.parsed.tree)
        if with_summary and not analysis.settings.external_summaries
        else None
    )
    return ModuleReport(
        findings,
        analysis.exports(),
        frozenset(analysis.resolver.imports.values()),
        summary,
    )


def summarise_source(
    text: str, path: str, module_name: str, settings: Settings | None = None
) -> ModuleSummary:
    """A module's summary for the project index, without analysing its flows."""
    settings = settings or Settings()
    if settings.external_summaries:
        settings = replace(settings, external_summaries={})
    analysis = ModuleAnalysis(text, path, settings, module_name, hooks=HOOKS)
    try:
        return summarise(analysis, analysis.parsed.tree)
    finally:
        analysis.dispose()
