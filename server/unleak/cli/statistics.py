"""``--statistics``: how many findings each rule produced, most frequent first, then what
could not be checked (as the report says it), so a failed run never looks empty."""

from __future__ import annotations

import json
from collections import Counter

from unleak.cli.formats.base import Report, rule_name
from unleak.cli.formats.json_format import UNCHECKED
from unleak.cli.formats.text import unchecked_summary


def render_statistics(report: Report, fmt: str) -> str:
    counts = Counter(f.code for _, f in report.findings())
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    if fmt == "json":
        data: list[dict[str, object]] = [
            {"code": c, "name": rule_name(c), "count": n} for c, n in rows
        ]
        if report.errors:  # shaped as the report's items for these paths: code null
            data.append({"code": None, "name": UNCHECKED, "count": len(report.errors)})
        return json.dumps(data, indent=2) + "\n"
    width = max((len(str(n)) for _, n in rows), default=0)
    lines = [f"{n:>{width}}\t{c}\t{rule_name(c)}" for c, n in rows]
    if not report.quiet:
        lines += unchecked_summary(report)
    return "".join(line + "\n" for line in lines)
