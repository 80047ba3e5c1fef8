"""A module's text in pieces that line scans can be cached for: the texts of its top-level
chunks (see `chunks`), which an edit leaves unchanged but for the chunks it touches, and the
blank and comment lines between them. A scan of the whole text (the lines where a word
occurs) is the fold of the scans of its pieces, so an editor rescans only what changed."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable

# what was scanned for -> piece text -> the 0-based lines of the piece where it was found
ScanCache = dict[Hashable, dict[str, tuple[int, ...]]]


class Segments:
    """The pieces of one version of a module, and the scans kept for them."""

    def __init__(self, pieces: list[tuple[int, str, bool]], cache: ScanCache) -> None:
        """``pieces``: (first line, text, whether its scans are kept), in order, covering the
        whole text; every piece but the last ends with a line break."""
        self.pieces = pieces
        self.cache = cache
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
