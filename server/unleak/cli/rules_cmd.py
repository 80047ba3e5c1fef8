"""``unleak rules``: the rule registry, as a table or JSON."""

from __future__ import annotations

import json

from unleak.rules import ALL_RULES


def render_rules(fmt: str) -> str:
    if fmt == "json":
        data = [
            {
                "code": r.code,
                "name": r.name,
                "severity": r.severity.value,
                "summary": r.summary,
                "default": r.on_by_default,
                "url": r.url,
            }
            for r in ALL_RULES
        ]
        return json.dumps(data, indent=2) + "\n"
    width = max(len(r.name) for r in ALL_RULES)
    return "".join(
        f"{r.code}  {r.name:<{width}}  {r.severity.value:<7}  {r.summary}"
        + ("" if r.on_by_default else " (off by default: --extend-select " + r.code + ")")
        + "\n"
        for r in ALL_RULES
    )
