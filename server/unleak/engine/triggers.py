"""A fast textual pre-filter: only definitions whose text mentions something that can acquire
a resource are analysed. Most code in a project never does, and a regular expression over the
text costs far less than walking its syntax tree."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable

from unleak.engine.catalogue import METHOD_FACTORIES, TYPED_METHOD_FACTORIES, Catalogue

_ALWAYS = ("acquire", "accept", "create_task", "ensure_future")


def base_words(catalogue: Catalogue) -> set[str]:
    words = {q.rsplit(".", 1)[-1] for q in catalogue.factories}
    words |= set(METHOD_FACTORIES)
    words |= {m for _, m in TYPED_METHOD_FACTORIES}
    words |= set(_ALWAYS)
    return words


class TriggerIndex:
    """Line numbers of a module where a trigger word occurs."""

    def __init__(self, text: str, words: Iterable[str]) -> None:
        self.text = text
        self.lines: list[int] = []
        self.add(words)

    def add(self, words: Iterable[str]) -> None:
        alternatives = sorted({w for w in words if w}, key=len, reverse=True)
        if not alternatives:
            return
        # At most one match per line: the rest of a matching line is consumed.
        pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, alternatives)) + r")\b[^\n]*")
        text = self.text
        found: list[int] = []
        line, last = 1, 0
        for m in pattern.finditer(text):
            start = m.start()
            line += text.count("\n", last, start)
            last = start
            found.append(line)
        if found:
            self.lines = sorted(set(found).union(self.lines))

    def any_between(self, first: int, last: int) -> bool:
        i = bisect.bisect_left(self.lines, first)
        return i < len(self.lines) and self.lines[i] <= last

    def __bool__(self) -> bool:
        return bool(self.lines)
