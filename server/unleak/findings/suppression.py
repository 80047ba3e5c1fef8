"""Inline suppressions: `# noqa: UL101`, `# noqa` (all codes) and `# unleak: ignore[UL101]`."""

from __future__ import annotations

import re

from unleak.findings.model import Finding
from unleak.source.text import SourceText

_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?", re.I)
_IGNORE = re.compile(r"#\s*unleak:\s*ignore(?:\[(?P<codes>[^\]]*)\])?", re.I)


def suppressed_codes(line: str) -> set[str] | None:
    """Codes suppressed on a line; an empty set means all codes; None means none."""
    if "#" not in line:
        return None
    out: set[str] | None = None
    for pattern in (_NOQA, _IGNORE):
        for m in pattern.finditer(line):
            codes = m.group("codes")
            if not codes:
                return set()
            out = (out or set()) | {c.upper() for c in re.split(r"[\s,]+", codes.strip()) if c}
    return out


def apply_suppressions(findings: list[Finding], source: SourceText) -> list[Finding]:
    kept: list[Finding] = []
    for f in findings:
        codes = suppressed_codes(source.line_text(f.span.line))
        if codes is not None and (not codes or f.code in codes):
            continue
        kept.append(f)
    return kept
