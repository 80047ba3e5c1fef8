"""Notebook documents (LSP 3.17 notebook sync): a notebook's cells are one module.

A client that syncs notebooks sends each cell's text with the notebook's structure; every
cell is still a document of its own (its URI gets the diagnostics, the code actions and the
hovers), but its analysis is the notebook's: the Python code cells joined in order, as
``unleak check`` joins them, and the findings of this cell in its own positions. An edit in
one cell analyses the others again (a `close()` in a later cell changes an earlier one).
A client that sends cells as plain documents gets each cell analysed alone, as before.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lsprotocol import types

from unleak.lsp.convert import TextLines
from unleak.lsp.documents import Document, uri_to_path
from unleak.lsp.logs import logger
from unleak.source.notebook import JoinedNotebook, join_cells

if TYPE_CHECKING:
    from unleak.findings.model import Finding
    from unleak.lsp.server import UnleakServer
    from unleak.pipeline.live import LiveModule
    from unleak.settings import Settings

# What clients are told to sync: the Python cells of any notebook.
SYNC_OPTIONS = types.NotebookDocumentSyncOptions(
    notebook_selector=[
        types.NotebookDocumentFilterWithCells(
            notebook="*", cells=[types.NotebookCellLanguage(language="python")]
        )
    ],
    save=True,
)


@dataclass
class Notebook:
    uri: str
    version: int
    cells: list[str]  # the URIs of its cells, in order
    code: set[str]  # those that are code cells
    # The engine's state for the joined module, and its last result (for the other cells).
    live: LiveModule | None = None
    last: tuple[str, Settings, list[Finding]] | None = field(default=None, repr=False)
    closed: bool = False

    @property
    def path(self) -> str | None:
        return uri_to_path(self.uri)

    def joined(self, documents: dict[str, Document], texts: dict[str, str]) -> JoinedNotebook:
        """Its Python code cells as one module; ``texts`` overrides some cells' text (the
        version being analysed)."""
        parts = []
        for index, uri in enumerate(self.cells):
            doc = documents.get(uri)
            if uri not in self.code or doc is None or doc.language_id != "python":
                continue
            parts.append((index, texts.get(uri, doc.lines.text)))
        return join_cells(parts)

    def position(self, uri: str, documents: dict[str, Document]) -> int | None:
        """The cell's position among the joined cells (as :meth:`joined` counts them)."""
        k = 0
        for cell in self.cells:
            doc = documents.get(cell)
            if cell not in self.code or doc is None or doc.language_id != "python":
                continue
            if cell == uri:
                return k
            k += 1
        return None


def _cell_document(server: UnleakServer, item: types.TextDocumentItem, notebook: str) -> Document:
    old = server.documents.get(item.uri)
    if old is not None:
        old.closed = True
    doc = Document(item.uri, item.version, TextLines(item.text), item.language_id)
    doc.notebook = notebook
    server.documents[item.uri] = doc
    return doc


def _close_cell(server: UnleakServer, uri: str) -> None:
    doc = server.documents.pop(uri, None)
    if doc is None:
        return
    doc.closed = True
    if doc.idle_timer is not None:
        doc.idle_timer.cancel()
    server.status.closed(uri)
    if not server.pull_diagnostics:
        server.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
        )


def _changed(server: UnleakServer, nb: Notebook) -> None:
    """Every cell analysed again (after what is under way), and the index told."""
    for uri in nb.cells:
        doc = server.documents.get(uri)
        if doc is not None:
            server.reanalyse(doc)
    server.indexer.notebook_changed(nb)


def register(server: UnleakServer) -> None:
    @server.feature(types.NOTEBOOK_DOCUMENT_DID_OPEN)
    def did_open(params: types.DidOpenNotebookDocumentParams) -> None:
        nb_doc = params.notebook_document
        old = server.notebooks.get(nb_doc.uri)
        if old is not None:
            old.closed = True
        nb = Notebook(
            nb_doc.uri,
            nb_doc.version,
            [c.document for c in nb_doc.cells],
            {c.document for c in nb_doc.cells if c.kind == types.NotebookCellKind.Code},
        )
        server.notebooks[nb.uri] = nb
        for item in params.cell_text_documents:
            _cell_document(server, item, nb.uri)
        _changed(server, nb)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_CHANGE)
    def did_change(params: types.DidChangeNotebookDocumentParams) -> None:
        nb = server.notebooks.get(params.notebook_document.uri)
        if nb is None:
            logger.warning("didChange for a closed notebook: %s", params.notebook_document.uri)
            return
        nb.version = params.notebook_document.version
        cells = params.change.cells
        if cells is None:
            return
        structure = cells.structure
        if structure is not None:
            array = structure.array
            added = list(array.cells or [])
            nb.cells[array.start : array.start + array.delete_count] = [c.document for c in added]
            nb.code.update(c.document for c in added if c.kind == types.NotebookCellKind.Code)
            for closed in structure.did_close or []:
                _close_cell(server, closed.uri)
            for item in structure.did_open or []:
                _cell_document(server, item, nb.uri)
        for cell in cells.data or []:  # a cell's kind changed (code to markdown, say)
            if cell.kind == types.NotebookCellKind.Code:
                nb.code.add(cell.document)
            else:
                nb.code.discard(cell.document)
        for content in cells.text_content or []:
            doc = server.documents.get(content.document.uri)
            if doc is None:
                continue
            try:
                doc.apply_changes(
                    content.document.version,
                    list(content.changes),
                    server.encoding,
                    time.monotonic(),
                )
            except Exception:
                logger.exception("cannot apply the changes to %s", doc.uri)
        nb.code &= set(nb.cells)
        _changed(server, nb)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_SAVE)
    def did_save(params: types.DidSaveNotebookDocumentParams) -> None:
        nb = server.notebooks.get(params.notebook_document.uri)
        if nb is not None:
            server.indexer.notebook_changed(nb, now=True)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_CLOSE)
    def did_close(params: types.DidCloseNotebookDocumentParams) -> None:
        nb = server.notebooks.pop(params.notebook_document.uri, None)
        for cell in params.cell_text_documents:
            _close_cell(server, cell.uri)
        if nb is None:
            return
        nb.closed = True
        for uri in nb.cells:
            _close_cell(server, uri)
        if nb.path is not None:  # edits not saved: the index goes back to the file on disk
            server.indexer.files_changed([(nb.path, False)])
