"""Running the rules over a module's analysis: each enabled rule's findings, suppressions
applied, sorted by position."""

from __future__ import annotations

from unleak.findings.model import Finding
from unleak.findings.module import ModuleAnalysis
from unleak.findings.suppression import apply_suppressions
from unleak.rules import ALL_RULES, RULES_BY_CODE
from unleak.source.parsing import ParseError
from unleak.source.text import SourceText

SEVERITIES = {rule.code: rule.severity for rule in ALL_RULES}


def run_rules(analysis: ModuleAnalysis, module_wide: bool) -> list[Finding]:
    """The findings of every enabled rule (without the module-wide ones, if so asked), with
    suppressions applied, sorted by position."""
    findings: list[Finding] = []
    for rule in ALL_RULES:
        if analysis.settings.enabled(rule.code) and (module_wide or not rule.module_wide):
            findings.extend(rule.check(analysis))
    findings = apply_suppressions(findings, analysis.source)
    findings.sort(key=Finding.sort_key)
    return findings


def run_rules_on_error(
    base: ModuleAnalysis, source: SourceText, error: ParseError
) -> list[Finding]:
    """The findings for a definition that no longer parses: its syntax error (UL001)."""
    rule = RULES_BY_CODE.get("UL001")
    if rule is None or not base.settings.enabled(rule.code):
        return []
    return apply_suppressions([base.finding(rule.code, error.message, error.span)], source)
