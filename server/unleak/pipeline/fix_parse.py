"""Parsing the texts one fix check analyses: the module's text, then that text with some of
its fixes applied, again and again. A fix changes one definition (and may add an import), so
a fixed text is parsed chunk by chunk (see `source.chunk_parse`): a top-level chunk no fix
changed keeps its tree, moved to its new line; only the chunks fixes touched are parsed
again. The trees are those `ast.parse` gives for the whole text.

The module's own text is parsed whole, as without a check (splitting it into chunks costs
more than the parse saves for a module that has no fix to check); the chunks are made from
its tree when a fixed text is first parsed. No facts are kept per statement (`source.facts`):
keeping them cost more than reusing them saved (most modules have one fixed text to analyse).
"""

from __future__ import annotations

import ast

from unleak.source.chunk_parse import ChunkParser
from unleak.source.parsing import ParsedModule, parse_module
from unleak.source.text import source_lines


class Reparser:
    """The trees of one module's texts. A tree is moved in place when another text is parsed
    (its statements go to that text's lines): what was handed out is valid until the next
    call (keep what must outlive it, such as `fix_check.Scopes`, computed before)."""

    def __init__(self) -> None:
        self._first: tuple[str, ast.Module] | None = None  # the module's text, parsed
        self._chunks: ChunkParser | None = None
        self._whole = False  # a text did not parse chunk by chunk: parse each one whole

    def parse(self, text: str) -> ParsedModule | None:
        """The text's tree; None: parse it yourself."""
        if self._first is None:
            # The module's text: parsed whole.
            parsed = parse_module(text)
            if not parsed.errors:
                self._first = (text, parsed.tree)
            return parsed
        if self._whole:
            return None
        if self._chunks is None:
            first, tree = self._first
            chunks = ChunkParser()
            if not chunks.seed(first, source_lines(first), tree):
                self._whole = True
                return None
            self._chunks = chunks
        found = self._chunks.parse(text, source_lines(text))
        if found is None:
            self._whole = True
            return None
        return ParsedModule(found)
