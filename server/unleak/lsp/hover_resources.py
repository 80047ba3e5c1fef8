"""Hover over a resource name: where the resource is released or handed on (from
``unleak.findings.explain``), with jedi's inferred type; over a call of a project function that
returns a resource, where it is defined.

Nothing here runs while the user types: on the first hover in a document version the module
is prepared (parsed, names resolved), and on the first hover in a function that function's
flow is followed again with recording on; both happen in a thread of their own and are
cached per document version and settings generation.
"""

from __future__ import annotations

import asyncio
import keyword
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lsprotocol import types

from unleak.lsp.daemon import DaemonWorker
from unleak.lsp.documents import Analysis, Document, uri_to_path
from unleak.lsp.jedi_info import JediHovers
from unleak.lsp.logs import logger
from unleak.source.spans import Span

if TYPE_CHECKING:
    from unleak.findings.explain import FunctionExplanation, ModuleExplainer
    from unleak.lsp.server import UnleakServer
    from unleak.pipeline.live import LiveModule
    from unleak.settings import Settings

_IDENTIFIER = re.compile(r"\w+")
_MAX_DOCUMENTS = 64


@dataclass
class _Explained:
    """What is known of one version of a document: the prepared module (built in the
    worker on the first hover) and the definitions explained so far."""

    version: int
    epoch: int
    text: str  # the very text (a document reopened may reuse a version number)
    explainer: ModuleExplainer | None = None
    functions: list[FunctionExplanation] = field(default_factory=list)
    failed: bool = False

    def explain(
        self, text: str, path: str, settings: Settings, module: str, line: int
    ) -> FunctionExplanation | None:
        """In the worker thread (one at a time)."""
        from unleak.findings.explain import ModuleExplainer

        for known in self.functions:
            if known.covers(line):
                return known
        if self.failed:
            return None
        try:
            if self.explainer is None:
                self.explainer = ModuleExplainer(text, path, settings, module)
            found = self.explainer.explain(line)
        except (SyntaxError, ValueError, RecursionError):
            self.failed = True  # text the engine cannot take apart: no explanations
            return None
        self.functions.append(found)
        return found

    def explain_live(self, live: LiveModule, text: str, line: int) -> FunctionExplanation | None:
        """In the analysis thread: from the document's latest full analysis, when it is of
        this text (no parse of the module); None when it is not."""
        from unleak.findings.explain import ModuleExplainer

        module = live.prepared(text)
        if module is None:
            return None
        try:
            found = ModuleExplainer.of(module).explain(line)
        except (SyntaxError, ValueError, RecursionError):
            return None
        self.functions.append(found)
        return found


class ResourceHovers:
    def __init__(self) -> None:
        self._worker = DaemonWorker("unleak-explain")
        self._cache: dict[str, _Explained] = {}
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
        # A notebook cell is explained in the module of its notebook's cells.
        cell = analysis.module
        offset = cell.offset if cell is not None else 0
        explanation = await self.explanation(server, doc, analysis, line + offset)
        hit = explanation.at(line + offset, column) if explanation is not None else None
        if hit is not None:
            note, span, name = hit
            span = span.shifted(-offset)
            text = note.markdown(name)
            parts.append(cell.words(text) if cell is not None else text)
        # jedi after the explanation, not beside it: both want the interpreter lock, and
        # the explanation is the part that must not wait (jedi's has its own bound).
        root = self._root(server, doc)
        info = await self.jedi.info(
            doc.uri,
            # A document closed and opened again may reuse a version number with a new text.
            hash((analysis.version, analysis.lines.text)),
            analysis.lines.text,
            doc.path,
            root,
            line,
            column,
        )
        if info is not None:
            if hit is None and info.type_noun is not None:
                given = "; a parameter: the caller owns it" if info.is_param else ""
                parts.append(
                    f"`{word[0]}`: a {info.type_noun} (`{info.type_name}`, inferred by jedi){given}"
                )
            elif hit is not None and info.type_name is not None:
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

    def _entry(self, doc: Document, analysis: Analysis) -> _Explained:
        source = analysis.module.text if analysis.module is not None else analysis.lines.text
        entry = self._cache.get(doc.uri)
        if (
            entry is None
            or (entry.version, entry.epoch) != (analysis.version, analysis.epoch)
            or (entry.text is not source and entry.text != source)
        ):
            self._cache.pop(doc.uri, None)
            if len(self._cache) >= _MAX_DOCUMENTS:
                self._cache.pop(next(iter(self._cache)))
            entry = _Explained(analysis.version, analysis.epoch, source)
            self._cache[doc.uri] = entry
        return entry

    def known(self, doc: Document, analysis: Analysis, found: FunctionExplanation) -> None:
        """An explanation made elsewhere (while the document opens: lsp/opening.py)."""
        self._entry(doc, analysis).functions.append(found)

    async def explanation(
        self, server: UnleakServer, doc: Document, analysis: Analysis, line: int
    ) -> FunctionExplanation | None:
        source = analysis.module.text if analysis.module is not None else analysis.lines.text
        entry = self._entry(doc, analysis)
        for known in entry.functions:
            if known.covers(line):
                return known
        from unleak.lsp.server import module_name_for

        try:
            settings = server.settings_for(doc).engine
            config = server.store.project_config(doc.uri)
            path, display = doc.path, doc.display_path
            nb = server.notebooks.get(doc.notebook) if doc.notebook is not None else None
            if nb is not None:
                path, display = nb.path, nb.path or nb.uri
            module = module_name_for(path, config.root)
            live = doc.live if nb is None else None
            if live is not None and entry.explainer is None:
                found = await asyncio.wrap_future(
                    server.executor.submit(entry.explain_live, live, source, line)
                )
                if found is not None:
                    return found
            return await asyncio.wrap_future(
                self._worker.submit(entry.explain, source, display, settings, module, line)
            )
        except Exception:
            logger.exception("internal error explaining %s line %s", doc.uri, line)
            return None

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
