"""`_spliced` (a partial analysis's findings: the edited lines' replaced, the others kept and
moved) gives what sorting every finding gives, ties and all."""

from __future__ import annotations

import random

from unleak.findings.incremental import moved
from unleak.findings.model import Finding
from unleak.pipeline.live import _spliced
from unleak.settings import Severity
from unleak.source.spans import Span


def _finding(rng: random.Random, low: int, high: int, tag: str) -> Finding:
    line = rng.randint(low, high)
    column = rng.choice([0, 4, 8])
    return Finding(
        rng.choice(["UL101", "UL107"]),
        f"{tag} {rng.random()}",
        Span(line, column, line + rng.randint(0, 2), column + 3),
        Severity.WARNING,
    )


def test_splicing_is_sorting() -> None:
    rng = random.Random(3)
    for _ in range(2000):
        old = sorted(
            (_finding(rng, 1, 40, "old") for _ in range(rng.randrange(12))), key=Finding.sort_key
        )
        first = rng.randint(1, 40)
        last = rng.randint(first, min(first + 8, 45))
        delta = rng.randint(-3, 3) if rng.random() < 0.5 else 0
        # Fresh findings mostly in the edited lines, now and then just outside them.
        fresh = [
            _finding(rng, first - 1, max(last + delta, first) + 1, "new")
            for _ in range(rng.randrange(4))
        ]
        kept = [moved(f, last, delta) for f in old if not first <= f.span.line <= last]
        expected = sorted([*kept, *fresh], key=Finding.sort_key)
        assert _spliced(old, first, last, delta, fresh) == expected
