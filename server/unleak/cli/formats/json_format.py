"""JSON: a list of findings with 1-based lines and columns (end exclusive), then one item
per path that could not be checked (``code`` null, ``name`` ``not-checked``, no position).
A finding in a notebook has a ``cell`` (1-based among all its cells, as ruff counts them) and
lines counted within that cell.

The text is exactly ``json.dumps(items, indent=2, ensure_ascii=False)``, written out
directly: with ``indent`` the json module falls back to its pure-Python encoder, which
took longer than the rest of a cached run.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from typing import Any

from unleak.cli.formats.base import Report, rule_name
from unleak.findings.model import Fix
from unleak.source.spans import Span

UNCHECKED = "not-checked"  # the name of an item for a path that could not be checked


def _position(span: Span) -> dict[str, int]:
    return {
        "line": span.line,
        "column": span.column + 1,
        "end_line": span.end_line,
        "end_column": span.end_column + 1,
    }


def fix_as_data(fix: Fix | None) -> dict[str, Any] | None:
    """A fix with 1-based lines and columns, end exclusive, as the findings are given."""
    if fix is None:
        return None
    return {
        "description": fix.description,
        "safe": fix.safe,
        "edits": [{**_position(e.span), "new_text": e.new_text} for e in fix.edits],
    }


def _fix_text(fix: Fix | None) -> str:
    if fix is None:
        return "null"
    # Nested two levels deep in the document: each of its lines moves 4 spaces right.
    return json.dumps(fix_as_data(fix), indent=2, ensure_ascii=False).replace("\n", "\n    ")


def findings_as_data(report: Report) -> list[dict[str, Any]]:
    """The document as Python data (what :func:`render_json` prints)."""
    items: list[dict[str, Any]] = []
    for path, f in report.findings():
        item: dict[str, Any] = {
            "path": path,
            **_position(f.span),
            "code": f.code,
            "name": rule_name(f.code),
            "message": f.message,
            "severity": f.severity.value,
            "fix": fix_as_data(f.fix),
        }
        if f.cell is not None:  # a notebook's: lines count within this cell
            item["cell"] = f.cell
        count = report.runtime_count(path, f)
        if count is not None:  # --trace: times the run saw this leak (0: not seen)
            item["runtime_count"] = count
        item["related"] = [{**_position(r.span), "message": r.message} for r in f.related]
        items.append(item)
    items += [_unchecked(r.display, r.error or "") for r in report.errors]
    return items


def _unchecked(path: str, message: str) -> dict[str, Any]:
    """A path that could not be checked, shaped like a finding so readers need no new keys."""
    return {
        "path": path,
        "line": None,
        "column": None,
        "end_line": None,
        "end_column": None,
        "code": None,
        "name": UNCHECKED,
        "message": message,
        "severity": "error",
        "fix": None,
        "related": [],
    }


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
            f'    "fix": {_fix_text(f.fix)},',
        ]
        if f.cell is not None:  # a notebook's: lines count within this cell
            lines.append(f'    "cell": {f.cell},')
        count = report.runtime_count(path, f)
        if count is not None:  # --trace: times the run saw this leak (0: not seen)
            lines.append(f'    "runtime_count": {count},')
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
    for r in report.errors:
        # Small and rare: the json module's own layout, indented one level.
        text = json.dumps(_unchecked(r.display, r.error or ""), indent=2, ensure_ascii=False)
        items.append("  " + text.replace("\n", "\n  "))
    if not items:
        return "[]\n"
    return "[\n" + ",\n".join(items) + "\n]\n"
