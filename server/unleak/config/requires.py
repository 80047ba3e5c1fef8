"""The oldest Python a `requires-python` specifier allows (PEP 440, the common forms)."""

from __future__ import annotations

import re

_CLAUSE = re.compile(r"^\s*(>=|~=|==|>)\s*(\d+)\.(\d+)")


def python_floor(spec: str | None) -> tuple[int, int] | None:
    """`>=3.9` -> (3, 9); `~=3.10`, `==3.11.*`, `>=3.8,<4` likewise (the highest lower bound
    among the clauses); None when there is no lower bound to read."""
    if not spec:
        return None
    floors: list[tuple[int, int]] = []
    for clause in spec.split(","):
        m = _CLAUSE.match(clause)
        if m is None:
            continue
        # `>3.9` excludes 3.9.0 only: 3.9.1 is still a 3.9, so the floor is the same.
        floors.append((int(m.group(2)), int(m.group(3))))
    return max(floors) if floors else None
