"""Parsing a module again after an edit, chunk by chunk: a top-level chunk (see `chunks`)
whose text did not change keeps its syntax tree, moved to its new line if lines were added
or removed above it; only the chunks the edit touched are parsed again.

The trees are those `ast.parse` gives for the whole text (the tests hold every standard
library module to that). A chunk is parsed with as many blank lines before it as the module
has lines above it, so its positions are the module's without walking its tree.
"""

from __future__ import annotations

import ast

from unleak.source.chunks import split
from unleak.source.facts import StatementFacts

_ERRORS = (SyntaxError, ValueError, MemoryError, RecursionError)


class ChunkParser:
    """The trees of one document's chunks, kept from one parse to the next."""

    def __init__(self) -> None:
        # Chunk text -> the line it started on, and its statements there.
        self._trees: dict[str, tuple[int, list[ast.stmt]]] = {}
        self.parsed_lines = 0  # lines parsed by the last call (for tests and logs)
        # Facts about the statements of the last tree, kept while their trees are.
        self.facts = StatementFacts()

    def parse(self, text: str, lines: list[str]) -> ast.Module | None:
        """The module's tree, or None if a chunk does not parse alone (a syntax error, or a
        statement the textual split cut in two): parse the whole text then.

        The trees handed out before are reused (and moved) in place: a caller must not keep
        using the tree of an earlier version once it asks for the next one."""
        old = self._trees
        kept: dict[str, tuple[int, list[ast.stmt]]] = {}
        body: list[ast.stmt] = []
        self.parsed_lines = 0
        try:
            chunks = split(text, lines)
        except RecursionError:
            return None
        for chunk in chunks:
            entry = old.pop(chunk.text, None)
            if entry is None:
                try:
                    stmts = ast.parse("\n" * (chunk.first - 1) + chunk.text).body
                except _ERRORS:
                    self._trees = {}
                    self.facts.keep(())
                    return None
                self.parsed_lines += chunk.last - chunk.first + 1
            else:
                first, stmts = entry
                if first != chunk.first:
                    for stmt in stmts:
                        ast.increment_lineno(stmt, chunk.first - first)
            if chunk.text not in kept:  # the same text twice: the second is parsed each time
                kept[chunk.text] = (chunk.first, stmts)
            body.extend(stmts)
        self._trees = kept
        self.facts.keep(body)
        return ast.Module(body=body, type_ignores=[])

    def forget(self) -> None:
        self._trees = {}
        self.facts.keep(())
