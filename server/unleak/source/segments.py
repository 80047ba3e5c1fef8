"""A module's text in pieces that line scans can be cached for: the texts of its top-level
chunks (see `chunks`), which an edit leaves unchanged but for the chunks it touches, and the
blank and comment lines between them. A scan of the whole text (the lines where a word
occurs) is the fold of the scans of its pieces, so an editor rescans only what changed."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable

# what was scanned for -> piece text -> the 0-based lines of the piece where it was found
ScanCache = dict[Hashable, dict[str, tuple[int, ...]]]


# piece text -> the words looked for in it so far, and where one occurs: (0-based line, word)
WordCache = dict[str, tuple[frozenset[str], tuple[tuple[int, str], ...]]]
# Each occurrence of one of the words in a text, as (0-based line, word).
WordScan = Callable[[str, frozenset[str]], Iterable[tuple[int, str]]]


class Segments:
    """The pieces of one version of a module, and the scans kept for them."""

    def __init__(
        self, pieces: list[tuple[int, str, bool]], cache: ScanCache, words: WordCache
    ) -> None:
        """``pieces``: (first line, text, whether its scans are kept), in order, covering the
        whole text; every piece but the last ends with a line break."""
        self.pieces = pieces
        self.cache = cache
        self.words = words
        self.used: set[Hashable] = set()  # what this version looked for

    def lines_where(self, key: Hashable, scan: Callable[[str], Iterable[int]]) -> list[int]:
        """The (1-based) lines of the module where ``scan`` finds something, in order;
        ``scan(text)`` gives the 0-based lines of a piece, and must depend on the text alone
        (``key`` names what it looks for)."""
        self.used.add(key)
        scans = self.cache.setdefault(key, {})
        out: list[int] = []
        for first, text, kept in self.pieces:
            if kept:
                found = scans.get(text)
                if found is None:
                    found = scans[text] = tuple(scan(text))
            else:
                found = tuple(scan(text))
            if found:
                out.extend([first + line for line in found])
        return out


    def words_where(self, words: frozenset[str], scan: WordScan) -> list[int]:
        """`lines_where` for whole words: the lines where one of ``words`` occurs. A set of
        words not looked for before (an import or a definition renamed changes the trigger
        words) scans each ASCII piece again for the words new to it alone."""
        key = ("words", words)
        self.used.add(key)
        scans = self.cache.setdefault(key, {})
        records = self.words
        # Words new to a piece, and all it was looked for then, by what it was looked for
        # before (pieces share these sets: most have the same history).
        news: dict[frozenset[str], tuple[frozenset[str], frozenset[str]]] = {}
        out: list[int] = []
        for first, text, kept in self.pieces:
            found = scans.get(text) if kept else None
            if found is None:
                record = records.get(text) if kept else None
                if record is None and kept and text.isascii():
                    record = (frozenset(), ())
                if record is None:  # not ASCII (a word is then not told by its characters)
                    found = tuple(sorted({line for line, _ in scan(text, words)}))
                else:
                    looked, where = record
                    got = news.get(looked)
                    if got is None:
                        got = news[looked] = (words - looked, looked | words)
                    new, union = got
                    if new:
                        where += tuple(scan(text, new))
                        records[text] = (union, where)
                    found = tuple(sorted({line for line, word in where if word in words}))
                if kept:
                    scans[text] = found
            if found:
                out.extend([first + line for line in found])
        return out


def pieces_of(
    lines: list[str], chunks: Iterable[tuple[int, int, str]], returns: bool = True
) -> list[tuple[int, str, bool]] | None:
    """The pieces of a module from its chunks ((first, last, text), in order); None when its
    line numbers cannot be told from counting line feeds (a lone carriage return ends a
    line). ``returns``: whether the text may hold a carriage return at all."""
    out: list[tuple[int, str, bool]] = []
    done = 0  # lines covered so far
    for first, last, text in chunks:
        if first - 1 > done:
            out.append((done + 1, "".join(lines[done : first - 1]), False))
        out.append((first, text, True))
        done = last
    if done < len(lines):
        out.append((done + 1, "".join(lines[done:]), False))
    for _, text, _ in out if returns else ():
        if "\r" in text and text.count("\r") != text.count("\r\n"):
            return None
    return out
