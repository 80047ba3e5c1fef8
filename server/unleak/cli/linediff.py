"""A unified diff in near-linear time for the small, scattered changes fixes make.

`difflib.unified_diff` matches lines with `SequenceMatcher`, whose longest-match search is
quadratic in the number of changed regions: on a 16,000-line file with a thousand fixes it
takes longer than the analysis. Here the lines that occur exactly once in both versions anchor
the match (the longest increasing run of them, as in a patience diff); only the short gaps
between anchors go to `SequenceMatcher`. The output format is difflib's.
"""

from __future__ import annotations

import bisect
import difflib
from collections import Counter
from collections.abc import Iterator, Sequence

__all__ = ["matching_blocks", "unified_lines"]

Block = tuple[int, int, int]  # (start in a, start in b, length), as difflib's Match


def _anchors(a: Sequence[str], b: Sequence[str]) -> list[tuple[int, int]]:
    """Pairs (i, j) of lines unique in both, forming the longest run increasing in both."""
    count_a, count_b = Counter(a), Counter(b)
    where_b = {line: j for j, line in enumerate(b) if count_b[line] == 1}
    pairs = [
        (i, where_b[line]) for i, line in enumerate(a) if count_a[line] == 1 and line in where_b
    ]
    # Longest increasing subsequence on j (patience sorting), O(n log n).
    tails: list[int] = []  # tails[k]: the smallest last j of a run of length k + 1
    tail_at: list[int] = []  # index into pairs of that last element
    back: list[int] = [-1] * len(pairs)
    for index, (_, j) in enumerate(pairs):
        k = bisect.bisect_left(tails, j)
        if k == len(tails):
            tails.append(j)
            tail_at.append(index)
        else:
            tails[k] = j
            tail_at[k] = index
        back[index] = tail_at[k - 1] if k else -1
    run: list[tuple[int, int]] = []
    at = tail_at[-1] if tail_at else -1
    while at != -1:
        run.append(pairs[at])
        at = back[at]
    run.reverse()
    return run


def matching_blocks(a: Sequence[str], b: Sequence[str]) -> list[Block]:
    """Matching blocks of two line lists, ending with difflib's sentinel (len(a), len(b), 0)."""
    raw: list[Block] = []
    prev_i = prev_j = 0
    for i, j in [*_anchors(a, b), (len(a), len(b))]:
        if i > prev_i or j > prev_j:
            gap = difflib.SequenceMatcher(None, a[prev_i:i], b[prev_j:j], autojunk=False)
            raw += [(prev_i + x, prev_j + y, n) for x, y, n in gap.get_matching_blocks() if n]
        if i < len(a):
            raw.append((i, j, 1))
        prev_i, prev_j = i + 1, j + 1
    merged: list[Block] = []
    for i, j, n in raw:
        if merged and merged[-1][0] + merged[-1][2] == i and merged[-1][1] + merged[-1][2] == j:
            last = merged[-1]
            merged[-1] = (last[0], last[1], last[2] + n)
        else:
            merged.append((i, j, n))
    merged.append((len(a), len(b), 0))
    return merged


class _AnchoredMatcher(difflib.SequenceMatcher[str]):
    """difflib's grouping of opcodes, over the anchored matching blocks."""

    def __init__(self, a: Sequence[str], b: Sequence[str]) -> None:
        super().__init__(None, a, b, autojunk=False)
        self._blocks = [difflib.Match(*m) for m in matching_blocks(a, b)]

    def get_matching_blocks(self) -> list[difflib.Match]:
        return self._blocks


def _range(start: int, length: int) -> str:
    """difflib's hunk range: 'start,length', 1-based (an empty range names the line before)."""
    first = start + 1
    if length == 1:
        return str(first)
    if not length:
        first -= 1
    return f"{first},{length}"


def unified_lines(
    a: Sequence[str], b: Sequence[str], fromfile: str, tofile: str, n: int = 3
) -> Iterator[str]:
    """What `difflib.unified_diff(a, b, fromfile, tofile, n=n)` yields (lines keep their
    line breaks; header lines end with a newline)."""
    started = False
    for group in _AnchoredMatcher(a, b).get_grouped_opcodes(n):
        if not started:
            started = True
            yield f"--- {fromfile}\n"
            yield f"+++ {tofile}\n"
        first, last = group[0], group[-1]
        old = _range(first[1], last[2] - first[1])
        new = _range(first[3], last[4] - first[3])
        yield f"@@ -{old} +{new} @@\n"
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                yield from (" " + line for line in a[i1:i2])
                continue
            if tag in ("replace", "delete"):
                yield from ("-" + line for line in a[i1:i2])
            if tag in ("replace", "insert"):
                yield from ("+" + line for line in b[j1:j2])
