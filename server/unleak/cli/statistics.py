"""``--statistics``: how many findings each rule produced, most frequent first."""

from __future__ import annotations

import json
from collections import Counter

from unleak.cli.formats.base import Report, rule_name


def render_statistics(report: Report, fmt: str) -> str:
    counts = Counter(f.code for _, f in report.findings())
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    if fmt == "json":
        data = [{"code": c, "name": rule_name(c), "count": n} for c, n in rows]
        return json.dumps(data, indent=2) + "\n"
    if not rows:
        return ""
    width = max(len(str(n)) for _, n in rows)
    return "".join(f"{n:>{width}}\t{c}\t{rule_name(c)}\n" for c, n in rows)
