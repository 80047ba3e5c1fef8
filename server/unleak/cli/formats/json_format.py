"""JSON: a list of findings with 1-based lines and columns (end exclusive).

The text is exactly ``json.dumps(items, indent=2, ensure_ascii=False)``, written out
directly: with ``indent`` the json module falls back to its pure-Python encoder, which
took longer than the rest of a cached run.
"""

from __future__ import annotations

from json.encoder import encode_basestring  # type: ignore[attr-defined]
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


def findings_as_data(report: Report) -> list[dict[str, Any]]:
    """The document as Python data (what :func:`render_json` prints)."""
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
    return items


def _span_lines(span: Span, indent: str) -> list[str]:
    return [
        f'{indent}"line": {span.line},',
        f'{indent}"column": {span.column + 1},',
        f'{indent}"end_line": {span.end_line},',
        f'{indent}"end_column": {span.end_column + 1},',
    ]


def render_json(report: Report) -> str:
    enc = encode_basestring
    names: dict[str, str] = {}
    items: list[str] = []
    for path, f in report.findings():
        name = names.get(f.code)
        if name is None:
            name = names[f.code] = enc(rule_name(f.code))
        lines = ["  {", f'    "path": {enc(path)},', *_span_lines(f.span, "    ")]
        lines += [
            f'    "code": {enc(f.code)},',
            f'    "name": {name},',
            f'    "message": {enc(f.message)},',
            f'    "severity": {enc(f.severity.value)},',
            '    "fix": null,',  # the engine offers no fixes yet
        ]
        if f.related:
            related = [
                "\n".join(
                    [
                        "      {",
                        *_span_lines(r.span, "        "),
                        f'        "message": {enc(r.message)}',
                        "      }",
                    ]
                )
                for r in f.related
            ]
            lines += ['    "related": [', ",\n".join(related), "    ]", "  }"]
        else:
            lines += ['    "related": []', "  }"]
        items.append("\n".join(lines))
    if not items:
        return "[]\n"
    return "[\n" + ",\n".join(items) + "\n]\n"
