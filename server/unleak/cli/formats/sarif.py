"""SARIF 2.1.0, for GitHub code scanning and other static-analysis dashboards."""

from __future__ import annotations

import json
from pathlib import PurePath
from typing import Any

import unleak
from unleak.cli.formats.base import Report
from unleak.findings.model import Fix
from unleak.rules import ALL_RULES
from unleak.settings import Severity
from unleak.source.spans import Span

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVELS = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFO: "note",
    Severity.HINT: "note",
}


def _uri(path: str) -> str:
    pure = PurePath(path)
    return pure.as_uri() if pure.is_absolute() else pure.as_posix()


def _region(span: Span) -> dict[str, int]:
    return {
        "startLine": span.line,
        "startColumn": span.column + 1,
        "endLine": span.end_line,
        "endColumn": span.end_column + 1,
    }


def _location(path: str, span: Span, message: str | None = None) -> dict[str, Any]:
    location: dict[str, Any] = {
        "physicalLocation": {"artifactLocation": {"uri": _uri(path)}, "region": _region(span)}
    }
    if message is not None:
        location["message"] = {"text": message}
    return location


def _fix(path: str, fix: Fix) -> dict[str, Any]:
    return {
        "description": {"text": fix.description},
        "artifactChanges": [
            {
                "artifactLocation": {"uri": _uri(path)},
                "replacements": [
                    {"deletedRegion": _region(e.span), "insertedContent": {"text": e.new_text}}
                    for e in fix.edits
                ],
            }
        ],
        "properties": {"safe": fix.safe},
    }


def _rules() -> list[dict[str, Any]]:
    return [
        {
            "id": rule.code,
            "name": rule.name,
            "shortDescription": {"text": rule.summary},
            "fullDescription": {"text": rule.doc or rule.summary},
            # The full rule text itself: SARIF wants an absolute helpUri, and there is no
            # public page to point at (docs/rules.md is only relative to an unleak checkout).
            "help": {"text": rule.doc or rule.summary, "markdown": rule.doc or rule.summary},
            "defaultConfiguration": {"level": _LEVELS[rule.severity]},
        }
        for rule in ALL_RULES
    ]


def render_sarif(report: Report) -> str:
    index = {rule.code: i for i, rule in enumerate(ALL_RULES)}
    results = []
    for path, f in report.findings():
        result: dict[str, Any] = {
            "ruleId": f.code,
            "level": _LEVELS[f.severity],
            "message": {"text": f.message},
            "locations": [_location(path, f.span)],
        }
        if f.code in index:
            result["ruleIndex"] = index[f.code]
        if f.related:
            result["relatedLocations"] = [
                {"id": n, **_location(path, r.span, r.message)} for n, r in enumerate(f.related)
            ]
        if f.fix is not None and f.fix.edits:
            result["fixes"] = [_fix(path, f.fix)]
        properties: dict[str, Any] = {}
        if f.cell is not None:  # a notebook's: the region's lines count within this cell
            properties["cell"] = f.cell
        count = report.runtime_count(path, f)
        if count is not None:  # --trace: what the run saw
            properties.update(confirmedAtRuntime=count > 0, runtimeCount=count)
        if properties:
            result["properties"] = properties
        results.append(result)
    notifications = [
        {
            "level": "error",
            # The path too: dashboards often show a notification's text without its location.
            "message": {"text": f"{r.display}: {r.error}"},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(r.display)}}}],
        }
        for r in report.errors
    ]
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "unleak",
                        "version": unleak.__version__,
                        "rules": _rules(),
                    }
                },
                # Span columns count code points, not SARIF's default UTF-16 code units.
                "columnKind": "unicodeCodePoints",
                "invocations": [
                    {
                        "executionSuccessful": not notifications,
                        "toolExecutionNotifications": notifications,
                    }
                ],
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
