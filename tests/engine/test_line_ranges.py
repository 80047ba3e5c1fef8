"""LineRanges: the definitions a fix's check analyses are those overlapping a changed range."""

from __future__ import annotations

import random

from unleak.source.spans import LineRanges


def test_overlaps_is_the_plain_test_over_every_range() -> None:
    rng = random.Random(7)
    for _ in range(300):
        ranges = []
        for _ in range(rng.randint(0, 8)):
            first = rng.randint(1, 60)
            ranges.append((first, first + rng.randint(0, 12)))
        spans = LineRanges(ranges)
        for first in range(1, 80):
            for last in range(first, first + 6):
                expected = any(a <= last and first <= b for a, b in ranges)
                assert spans.overlaps(first, last) == expected, (ranges, first, last)


def test_touching_nested_and_unsorted_ranges() -> None:
    spans = LineRanges([(20, 30), (5, 9), (10, 12), (22, 25)])
    assert [spans.overlaps(n, n) for n in (4, 5, 9, 10, 12, 13, 19, 20, 30, 31)] == [
        False, True, True, True, True, False, False, True, True, False,
    ]  # fmt: skip
    assert spans.overlaps(13, 19) is False
    assert spans.overlaps(13, 20) is True
    assert LineRanges([]).overlaps(1, 100) is False
