"""JSON: a list of findings with 1-based lines and columns (end exclusive)."""

from __future__ import annotations

import json
from typing import Any

from unleak.cli.formats.base import Report, rule_name
from unleak.engine.findings import Span


def _position(span: Span) -> dict[str, int]:
    return {
        "line": span.line,
        "column": span.column + 1,
        "end_line": span.end_line,
        "end_column": span.end_column + 1,
    }


def render_json(report: Report) -> str:
    items: list[dict[str, Any]] = []
    for path, f in report.findings():
        items.append(
            {
                "path": path,
                **_position(f.span),
                "code": f.code,
                "name": rule_name(f.code),
                "message": f.message,
                "severity": f.severity.value,
                "fix": None,  # the engine offers no fixes yet
                "related": [{**_position(r.span), "message": r.message} for r in f.related],
            }
        )
    return json.dumps(items, indent=2, ensure_ascii=False) + "\n"
