"""A fast textual pre-filter: only definitions whose text mentions something that can acquire
a resource are analysed. Most code in a project never does, and a regular expression over the
text costs far less than walking its syntax tree."""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterable

from unleak.catalogue import METHOD_FACTORIES, TYPED_METHOD_FACTORIES, Catalogue
from unleak.source.segments import Segments

_ALWAYS = ("acquire", "accept", "create_task", "ensure_future")


def base_words(catalogue: Catalogue) -> set[str]:
    words = {q.rsplit(".", 1)[-1] for q in catalogue.factories}
    words |= set(METHOD_FACTORIES)
    words |= {m for _, m in TYPED_METHOD_FACTORIES}
    words |= set(_ALWAYS)
    return words


class TriggerIndex:
    """Line numbers of a module where a trigger word occurs."""

    def __init__(
        self,
        text: str,
        words: Iterable[str],
        first_line: int = 1,
        segments: Segments | None = None,
    ) -> None:
        """``first_line``: the line number of the text's first line (for a part of a module);
        ``segments``: the text in pieces whose scans are kept (a document's next version)."""
        self.text = text
        self.first_line = first_line
        self.segments = segments
        self.lines: list[int] = []
        # Every word looked for so far (to index an edited part of the module the same way).
        self.words: set[str] = set()
        self.add(words)

    def add(self, words: Iterable[str]) -> None:
        alternatives = frozenset(w for w in words if w)
        if not alternatives:
            return
        self.words |= alternatives
        if self.segments is not None:
            found = self.segments.words_where(alternatives, _occurrences)
        else:
            first = self.first_line
            found = [first + line for line in _word_lines(self.text, alternatives)]
        if found:
            self.lines = sorted(set(found).union(self.lines))

    def any_between(self, first: int, last: int) -> bool:
        i = bisect.bisect_left(self.lines, first)
        return i < len(self.lines) and self.lines[i] <= last

    def __bool__(self) -> bool:
        return bool(self.lines)


class _TextWords:
    """The 0-based lines where each word asked for so far occurs in one text."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines: dict[str, list[int]] = {}

    def scan(self, words: frozenset[str]) -> None:
        missing = words.difference(self.lines)
        if not missing:
            return
        for word in missing:
            self.lines[word] = []
        # One pass for all of them: an occurrence of one word never hides another's (each
        # match is a whole identifier).
        for line, word in _occurrences(self.text, frozenset(missing)):
            self.lines[word].append(line)


# The texts scanned last (kept with their scans, so that an id is not reused while its entry
# lives): a module's analysis, its summary and an analysis of it under the project index's
# view ask for overlapping sets of words.
_RECENT_TEXTS: dict[int, _TextWords] = {}
_RECENT_MAX = 2


def scan_words(text: str, words: Iterable[str]) -> None:
    """Scan ``text`` for ``words`` now, in one pass (indexes built later over any of them
    reuse it)."""
    _text_words(text).scan(frozenset(w for w in words if w))


def _text_words(text: str) -> _TextWords:
    found = _RECENT_TEXTS.get(id(text))
    if found is None or found.text is not text:
        if len(_RECENT_TEXTS) >= _RECENT_MAX:
            del _RECENT_TEXTS[next(iter(_RECENT_TEXTS))]
        found = _RECENT_TEXTS[id(text)] = _TextWords(text)
    return found


def _word_lines(text: str, words: frozenset[str]) -> list[int]:
    """The 0-based lines of ``text`` where one of ``words`` occurs, ascending."""
    scanned = _text_words(text)
    scanned.scan(words)
    lines = scanned.lines
    found: set[int] = set()
    for word in words:
        found.update(lines[word])
    return sorted(found)


def _occurrences(text: str, words: frozenset[str]) -> list[tuple[int, str]]:
    """Each occurrence of one of ``words`` in ``text``: its 0-based line and the word."""
    found: list[tuple[int, str]] = []
    line, last = 0, 0
    for m in _pattern(words).finditer(text):
        start = m.start()
        if start and (text[start - 1].isalnum() or text[start - 1] == "_"):
            continue  # inside a longer word (`reopen`)
        line += text.count("\n", last, start)
        last = start
        found.append((line, m.group()))
    return found


@functools.lru_cache(maxsize=64)
def _pattern(words: frozenset[str]) -> re.Pattern[str]:
    # No leading \b: a pattern that starts with the trie lets the regex engine skip ahead
    # to possible first characters; the start boundary is checked by the caller.
    return re.compile(_trie_regex(sorted(words)) + r"\b")


def _trie_regex(words: list[str]) -> str:
    """An alternation shaped as a trie: the regex engine branches on one character at a time
    instead of trying every word at every position."""
    trie: dict[str, dict] = {}  # type: ignore[type-arg]
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:  # type: ignore[type-arg]
        ends = "" in node
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if ends else body

    return build(trie)
