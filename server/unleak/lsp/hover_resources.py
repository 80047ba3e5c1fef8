"""Hover over a resource name: where the resource is released or handed on (from
``unleak.engine.explain``), with jedi's inferred type; over a call of a project function that
returns a resource, where it is defined.

Nothing here runs while the user types: the explanation is computed on the first hover in a
function, in a thread of its own, for that one function, and cached per document version
and settings generation.
"""

from __future__ import annotations

import asyncio
import keyword
import re
from typing import TYPE_CHECKING

from lsprotocol import types

from unleak.engine.explain import FunctionExplanation, explain_at
from unleak.engine.findings import Span
from unleak.lsp.daemon import DaemonWorker
from unleak.lsp.documents import Analysis, Document, uri_to_path
from unleak.lsp.jedi_info import JediHovers
from unleak.lsp.logs import logger

if TYPE_CHECKING:
    from unleak.lsp.server import UnleakServer

_IDENTIFIER = re.compile(r"\w+")
_MAX_DOCUMENTS = 64


class ResourceHovers:
    def __init__(self) -> None:
        self._worker = DaemonWorker("unleak-explain")
        # uri -> (version, settings epoch, explanations of the functions hovered so far)
        self._cache: dict[str, tuple[int, int, list[FunctionExplanation]]] = {}
        self.jedi = JediHovers()

    async def hover(
        self, server: UnleakServer, doc: Document, analysis: Analysis, line: int, column: int
    ) -> types.Hover | None:
        """The hover at engine position (1-based line, code-point column), or None."""
        if analysis.skipped is not None:
            return None
        text = analysis.lines.line(line - 1)
        word = _word_at(text, column)
        if word is None:
            return None
        span = Span(line, word[1], line, word[2])
        parts: list[str] = []
        explanation = await self.explanation(server, doc, analysis, line)
        hit = explanation.at(line, column) if explanation is not None else None
        if hit is not None:
            note, span, name = hit
            parts.append(note.markdown(name))
        root = self._root(server, doc)
        info = await self.jedi.info(
            doc.uri, analysis.version, analysis.lines.text, doc.path, root, line, column
        )
        if info is not None:
            if hit is None and info.type_name is not None:
                given = "; a parameter: the caller owns it" if info.is_param else ""
                parts.append(
                    f"`{word[0]}`: a {info.type_noun} (`{info.type_name}`, inferred by jedi){given}"
                )
            elif info.type_name is not None:
                parts.append(f"Type (jedi): `{info.type_name}`")
            called = info.definition_markdown(root)
            if called is not None:
                parts.append(called)
        if not parts:
            return None
        return types.Hover(
            contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value="\n\n".join(parts)),
            range=analysis.lines.client_range(span, server.encoding),
        )

    async def explanation(
        self, server: UnleakServer, doc: Document, analysis: Analysis, line: int
    ) -> FunctionExplanation | None:
        entry = self._cache.get(doc.uri)
        if entry is None or entry[:2] != (analysis.version, analysis.epoch):
            if len(self._cache) >= _MAX_DOCUMENTS:
                self._cache.pop(next(iter(self._cache)))
            entry = self._cache[doc.uri] = (analysis.version, analysis.epoch, [])
        for known in entry[2]:
            if known.covers(line):
                return known
        from unleak.lsp.server import module_name_for

        try:
            settings = server.settings_for(doc).engine
            config = server.store.project_config(doc.uri)
            module = module_name_for(doc.path, config.root)
            found = await asyncio.wrap_future(
                self._worker.submit(
                    explain_at,
                    analysis.lines.text,
                    doc.display_path,
                    settings,
                    module,
                    line,
                )
            )
        except Exception:
            logger.exception("internal error explaining %s line %s", doc.uri, line)
            return None
        if found is not None:
            entry[2].append(found)
        return found

    def _root(self, server: UnleakServer, doc: Document) -> str | None:
        """The directory jedi treats as the project: the workspace folder, else the
        directory of the nearest pyproject.toml."""
        folder = server.store.folder_of(doc.uri)
        path = uri_to_path(folder) if folder else None
        if path:
            return path.rstrip("/") or "/"
        if doc.path is None:
            return None
        try:
            return str(server.store.project_config(doc.uri).root)
        except Exception:
            return None


def _word_at(text: str, column: int) -> tuple[str, int, int] | None:
    """The identifier at (or just before) ``column``: (word, start, end)."""
    for match in _IDENTIFIER.finditer(text):
        if match.start() <= column <= match.end():
            word = match.group()
            if word[0].isdigit() or keyword.iskeyword(word):
                return None
            return word, match.start(), match.end()
        if match.start() > column:
            break
    return None
