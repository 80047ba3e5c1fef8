"""Parsing a module again after an edit, chunk by chunk: a top-level chunk (see `chunks`)
whose text did not change keeps its syntax tree, moved to its new line if lines were added
or removed above it; only the chunks the edit touched are parsed again, and in an edited
class only the members the edit touched (see `class_parse`).

The trees are those `ast.parse` gives for the whole text (the tests hold every standard
library module to that). A chunk is parsed with as many blank lines before it as the module
has lines above it, so its positions are the module's without walking its tree.
"""

from __future__ import annotations

import ast

from unleak.source.chunks import Chunk, split, split_edited
from unleak.source.class_parse import Members, first_line, members_of, parse_at, parse_class
from unleak.source.facts import StatementFacts
from unleak.source.segments import ScanCache, Segments, WordCache, pieces_of
from unleak.source.text import changed_lines
from unleak.source.walk import increment_lineno

_ERRORS = (SyntaxError, ValueError, MemoryError, RecursionError)


class ChunkParser:
    """The trees of one document's chunks, kept from one parse to the next."""

    def __init__(self) -> None:
        # Chunk text -> the lines it started on, and its statements there (one entry per
        # chunk of that text).
        self._trees: dict[str, list[tuple[int, list[ast.stmt]]]] = {}
        # The last text's lines and chunks: the next split starts from them.
        self._lines: list[str] = []
        self._chunks: list[Chunk] = []
        self.parsed_lines = 0  # lines parsed by the last call (for tests and logs)
        # Facts about the statements of the last tree, kept while their trees are.
        self.facts = StatementFacts()
        # Line scans of the chunks' texts (trigger words), kept while the texts are chunks.
        self._scans: ScanCache = {}
        self._words: WordCache = {}  # the words found in the chunks' texts
        self.segments: Segments | None = None  # the last tree's text, in pieces
        # A class chunk's text -> its pieces (first line relative to the chunk's, last, text):
        # one per member, so that an edit in a long class rescans one member, not the class.
        self._class_pieces: dict[str, list[tuple[int, int, str]]] = {}

    def parse(self, text: str, lines: list[str]) -> ast.Module | None:
        """The module's tree, or None if a chunk does not parse alone (a syntax error, or a
        statement the textual split cut in two): parse the whole text then.

        The trees handed out before are reused (and moved) in place: a caller must not keep
        using the tree of an earlier version once it asks for the next one."""
        old = self._trees
        kept: dict[str, list[tuple[int, list[ast.stmt]]]] = {}
        body: list[ast.stmt] = []
        self.parsed_lines = 0
        # Scans stay while the last version used them (not every set of words ever looked for).
        used = self.segments.used if self.segments is not None else set()
        self.segments = None
        try:
            chunks = self._split(text, lines)
        except RecursionError:
            self.forget()
            return None
        if not old:
            # Nothing to reuse: one parse of the whole text, its statements dealt out to
            # the chunks (parsing chunk by chunk would cost as much).
            whole = _dealt(text, chunks)
            if whole is None:
                self.forget()
                return None
            old = whole
            self.parsed_lines = sum(c.last - c.first + 1 for c in chunks)
        earlier: Members | None = None  # the members of the classes that changed
        spans: list[tuple[int, int, str]] = []  # the pieces line scans are kept for
        for chunk in chunks:
            same = old.get(chunk.text)
            entry = same.pop() if same else None
            if entry is None:
                got = None
                stmts: list[ast.stmt]
                if chunk.kind == "class":
                    if earlier is None:
                        earlier = _changed_members(old, chunks)
                    got = parse_class(chunk, earlier)
                if got is not None:
                    stmts = [got[0]]
                    self.parsed_lines += got[1]
                else:
                    try:
                        stmts = parse_at(chunk.text, chunk.first)
                    except _ERRORS:
                        self.forget()
                        return None
                    self.parsed_lines += chunk.last - chunk.first + 1
            else:
                first, stmts = entry
                if first != chunk.first:
                    for stmt in stmts:
                        increment_lineno(stmt, chunk.first - first)
            kept.setdefault(chunk.text, []).append((chunk.first, stmts))
            body.extend(stmts)
            if chunk.kind == "class" and len(stmts) == 1 and isinstance(stmts[0], ast.ClassDef):
                spans.extend(self._pieces_of_class(chunk, stmts[0], lines))
            else:
                spans.append((chunk.first, chunk.last, chunk.text))
        self._trees = kept
        self._lines, self._chunks = lines, chunks
        self.facts.keep(body)
        self._class_pieces = {t: p for t, p in self._class_pieces.items() if t in kept}
        texts = {text for _, _, text in spans}
        self._scans = {
            key: {t: found for t, found in scans.items() if t in texts}
            for key, scans in self._scans.items()
            if key in used
        }
        self._words = {t: found for t, found in self._words.items() if t in texts}
        pieces = pieces_of(lines, spans, "\r" in text)
        if pieces is not None:
            self.segments = Segments(pieces, self._scans, self._words)
        return ast.Module(body=body, type_ignores=[])

    def seed(
        self, text: str, lines: list[str], tree: ast.Module, facts: StatementFacts | None = None
    ) -> bool:
        """Start from ``text`` as parsed already (``tree``, what `ast.parse` gives for it;
        ``facts``: those kept for its statements), as if `parse` had parsed it: the next
        `parse` parses only the chunks that differ. False (and nothing kept) when the text
        does not split into chunks that hold whole statements."""
        self.forget()
        try:
            chunks = split(text, lines)
        except RecursionError:
            return False
        dealt = _deal(tree.body, chunks)
        if dealt is None:
            return False
        self._trees = dealt
        self._lines, self._chunks = lines, chunks
        if facts is not None:
            self.facts = facts
        self.facts.keep(tree.body)
        return True

    def _pieces_of_class(
        self, chunk: Chunk, cls: ast.ClassDef, lines: list[str]
    ) -> list[tuple[int, int, str]]:
        """A class chunk's pieces (first, last, text): its lines cut where each member
        starts (the first piece holds the header), computed once per chunk text."""
        relative = self._class_pieces.get(chunk.text)
        if relative is None:
            starts = sorted(
                {0}
                | {
                    first_line(m) - chunk.first
                    for m in cls.body
                    if chunk.first < first_line(m) <= chunk.last
                }
            )
            ends = [*(s - 1 for s in starts[1:]), chunk.last - chunk.first]
            relative = [
                (a, b, "".join(lines[chunk.first - 1 + a : chunk.first + b]))
                for a, b in zip(starts, ends, strict=True)
            ]
            self._class_pieces[chunk.text] = relative
        return [(chunk.first + a, chunk.first + b, text) for a, b, text in relative]

    def _split(self, text: str, lines: list[str]) -> list[Chunk]:
        """The chunks of the text, split again only around what changed since the last."""
        if self._chunks:
            start, old_end, new_end = changed_lines(self._lines, lines)
            chunks = split_edited(self._chunks, lines, start, old_end, new_end)
            if chunks is not None:
                return chunks
        return split(text, lines)

    def forget(self) -> None:
        self._trees = {}
        self._lines, self._chunks = [], []
        self.facts.keep(())
        self._scans = {}
        self._words = {}
        self._class_pieces = {}
        self.segments = None


def _changed_members(
    old: dict[str, list[tuple[int, list[ast.stmt]]]], chunks: list[Chunk]
) -> Members:
    """The members of the classes of the last version whose text is no chunk's now."""
    now = {c.text for c in chunks}
    out: Members = {}
    for text, entries in old.items():
        if text in now:
            continue
        for first, stmts in entries:
            if len(stmts) == 1 and isinstance(stmts[0], ast.ClassDef):
                for member, trees in members_of(text, first, stmts[0]).items():
                    out.setdefault(member, []).extend(trees)
    return out


def _dealt(text: str, chunks: list[Chunk]) -> dict[str, list[tuple[int, list[ast.stmt]]]] | None:
    """The statements of the whole text, by the chunk they lie in (as `parse` keeps them);
    None if the text does not parse or a chunk holds no whole statements."""
    try:
        body = ast.parse(text).body
    except _ERRORS:
        return None
    return _deal(body, chunks)


def _deal(
    body: list[ast.stmt], chunks: list[Chunk]
) -> dict[str, list[tuple[int, list[ast.stmt]]]] | None:
    """The statements of a module's tree by the chunk they lie in (see `_dealt`)."""
    out: dict[str, list[tuple[int, list[ast.stmt]]]] = {}
    i = 0
    for chunk in chunks:
        stmts: list[ast.stmt] = []
        while i < len(body) and first_line(body[i]) <= chunk.last:
            stmts.append(body[i])
            i += 1
        if (
            not stmts
            or first_line(stmts[0]) < chunk.first
            or (stmts[-1].end_lineno or 0) > chunk.last
        ):
            return None
        out.setdefault(chunk.text, []).append((chunk.first, stmts))
    if i != len(body):
        return None
    for entries in out.values():
        entries.reverse()  # `parse` takes them from the end
    return out

