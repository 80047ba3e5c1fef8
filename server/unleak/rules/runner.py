"""Running the rules over a module's analysis: each enabled rule's findings, suppressions
applied, sorted by position."""

from __future__ import annotations

from dataclasses import replace

from unleak.findings.messages import too_deep_definition, too_deep_rules
from unleak.findings.model import Finding
from unleak.findings.module import ModuleAnalysis
from unleak.findings.suppression import apply_suppressions
from unleak.rules import ALL_RULES, RULES_BY_CODE
from unleak.rules.ul001_syntax_error import finding as syntax_finding
from unleak.settings import Severity
from unleak.source.parsing import ParseError
from unleak.source.spans import Span
from unleak.source.text import SourceText

SEVERITIES = {rule.code: rule.severity for rule in ALL_RULES}


def run_rules(analysis: ModuleAnalysis, module_wide: bool) -> list[Finding]:
    """The findings of every enabled rule (without the module-wide ones, if so asked), with
    suppressions applied, sorted by position."""
    findings: list[Finding] = []
    gave_up: list[str] = []
    for rule in ALL_RULES:
        enabled = analysis.settings.enabled(rule.code, on_by_default=rule.on_by_default)
        if enabled and (module_wide or not rule.module_wide):
            try:
                findings.extend(rule.check(analysis))
            except RecursionError:
                # Valid code nested deeper than this rule can follow: the other rules'
                # findings for the file are kept.
                gave_up.append(rule.code)
    findings.extend(_not_analysed(analysis, gave_up))
    findings = apply_suppressions(findings, analysis.source)
    findings.sort(key=Finding.sort_key)
    return findings


def _not_analysed(analysis: ModuleAnalysis, gave_up: list[str]) -> list[Finding]:
    """Information (under UL001) on what was left unchecked because it nests too deeply:
    each definition the leak analysis skipped, and each rule that gave up on the file."""
    if not analysis.settings.enabled("UL001"):
        return []
    notes: list[tuple[str, Span]] = []
    for unit in analysis.too_deep():
        line = analysis.source.span(unit.node).line
        end = len(analysis.source.line_text(line).rstrip())
        notes.append((too_deep_definition(unit.node), Span(line, 0, line, end)))
    if gave_up:
        notes.append((too_deep_rules(gave_up), Span(1, 0, 1, 0)))
    return [replace(analysis.finding("UL001", m, s), severity=Severity.INFO) for m, s in notes]


def run_rules_on_error(
    base: ModuleAnalysis, source: SourceText, error: ParseError
) -> list[Finding]:
    """The findings for a definition that no longer parses: its syntax error (UL001)."""
    rule = RULES_BY_CODE.get("UL001")
    if rule is None or not base.settings.enabled(rule.code, on_by_default=rule.on_by_default):
        return []
    return apply_suppressions([syntax_finding(base, error)], source)
