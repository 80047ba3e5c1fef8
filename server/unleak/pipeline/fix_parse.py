"""Parsing the texts one fix check analyses: the module's text, then that text with some of
its fixes applied, again and again. A fix changes one definition (and may add an import), so
a fixed text is parsed chunk by chunk (see `source.chunk_parse`): a top-level chunk no fix
changed keeps its tree, moved to its new line, and with it the facts kept per statement
(`source.facts`); only the chunks fixes touched are parsed again. The trees are those
`ast.parse` gives for the whole text.

The module's own text is parsed whole, as without a check (splitting it into chunks costs
more than the parse saves for a module that has no fix to check); the chunks are made from
its tree when a fixed text is first parsed.
"""

from __future__ import annotations

from unleak.source.chunk_parse import ChunkParser
from unleak.source.facts import StatementFacts
from unleak.source.parsing import ParsedModule, parse_module
from unleak.source.text import source_lines


class Reparser:
    """The trees of one module's texts. A tree is moved in place when another text is parsed
    (its statements go to that text's lines): what was handed out is valid until the next
    call (keep what must outlive it, such as `fix_check.Scopes`, computed before)."""

    def __init__(self) -> None:
        self._facts = StatementFacts()
        self._first: tuple[str, ParsedModule] | None = None  # the module's text, parsed
        self._chunks: ChunkParser | None = None

    def parse(self, text: str) -> ParsedModule | None:
        """The text's tree, with the facts kept for it; None: parse it yourself."""
        if self._first is None:
            # The module's text: parsed whole (its facts kept only if it parses).
            parsed = parse_module(text)
            if not parsed.errors:
                self._facts.keep(parsed.tree.body)
                parsed.facts = self._facts
                self._first = (text, parsed)
            return parsed
        first, parsed = self._first
        if self._chunks is None:
            chunks = ChunkParser()
            if not chunks.seed(first, source_lines(first), parsed.tree, self._facts):
                return None
            self._chunks = chunks
        tree = self._chunks.parse(text, source_lines(text))
        if tree is None:
            self._chunks = None  # the chunks were forgotten: only the whole text is left
            self._first = None
            return None
        return ParsedModule(tree, facts=self._chunks.facts)
