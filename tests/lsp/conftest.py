"""Helpers to drive the real language server (a subprocess speaking LSP over stdio) with a
pytest-lsp client."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest_asyncio
from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import LanguageClient
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

TIMEOUT = 10.0


@dataclass
class Published:
    uri: str
    version: int | None
    diagnostics: list[types.Diagnostic]


@dataclass
class Session:
    """A started server, the client talking to it, and what the server sent."""

    client: LanguageClient
    published: list[Published] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    # The params of the notifications the starter was asked to record, by method.
    notifications: dict[str, list[Any]] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)
    encoding: str = types.PositionEncodingKind.Utf16
    server_capabilities: types.ServerCapabilities | None = None

    # Documents.

    def open(self, uri: str, text: str) -> None:
        self.texts[uri] = text
        self.versions[uri] = 1
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)
            )
        )

    def change(self, uri: str, *edits: types.TextEdit) -> int:
        """Apply ``edits`` (non-overlapping, in the negotiated encoding) locally and send
        them as one incremental didChange; returns the new version."""
        text = self.texts[uri]
        ordered = sorted(
            edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True
        )
        changes: list[types.TextDocumentContentChangeEvent] = []
        for edit in ordered:
            text = apply_edit(text, edit, self.encoding)
            changes.append(types.TextDocumentContentChangePartial(edit.range, edit.new_text))
        self.texts[uri] = text
        self.versions[uri] += 1
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri]),
                changes,
            )
        )
        return self.versions[uri]

    def replace_all(self, uri: str, text: str) -> int:
        self.texts[uri] = text
        self.versions[uri] += 1
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri]),
                [types.TextDocumentContentChangeWholeDocument(text)],
            )
        )
        return self.versions[uri]

    def close(self, uri: str) -> None:
        self.client.text_document_did_close(
            types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri))
        )

    # Notebooks (notebook sync): each cell is a document whose URI VS Code derives from the
    # notebook's (`vscode-notebook-cell:/path/nb.ipynb#W0sZ`, one fragment per cell).

    def open_notebook(self, uri: str, cells: list[tuple[str, str]]) -> list[str]:
        """Open a notebook of ``(kind, text)`` cells (kind "code" or "markdown"); the cells'
        URIs."""
        base = "vscode-notebook-cell:" + uri.removeprefix("file://")
        uris = [f"{base}#W{n}sZmlsZQ" for n in range(len(cells))]
        items = []
        for cell_uri, (kind, text) in zip(uris, cells, strict=True):
            self.texts[cell_uri] = text
            self.versions[cell_uri] = 1
            language = "python" if kind == "code" else "markdown"
            items.append(types.TextDocumentItem(cell_uri, language, 1, text))
        notebook = types.NotebookDocument(
            uri=uri,
            notebook_type="jupyter-notebook",
            version=1,
            cells=[
                types.NotebookCell(
                    types.NotebookCellKind.Code
                    if kind == "code"
                    else types.NotebookCellKind.Markup,
                    cell_uri,
                )
                for cell_uri, (kind, _) in zip(uris, cells, strict=True)
            ],
        )
        self.client.notebook_document_did_open(types.DidOpenNotebookDocumentParams(notebook, items))
        self.versions[uri] = 1
        return uris

    def change_cell(self, notebook: str, cell: str, text: str) -> int:
        """Replace a cell's whole text; the cell's new version."""
        self.texts[cell] = text
        self.versions[cell] += 1
        self.versions[notebook] += 1
        self.client.notebook_document_did_change(
            types.DidChangeNotebookDocumentParams(
                types.VersionedNotebookDocumentIdentifier(self.versions[notebook], notebook),
                types.NotebookDocumentChangeEvent(
                    cells=types.NotebookDocumentCellChanges(
                        text_content=[
                            types.NotebookDocumentCellContentChanges(
                                types.VersionedTextDocumentIdentifier(
                                    uri=cell, version=self.versions[cell]
                                ),
                                [types.TextDocumentContentChangeWholeDocument(text)],
                            )
                        ]
                    )
                ),
            )
        )
        return self.versions[cell]

    def splice_cells(
        self, notebook: str, start: int, delete: list[str], add: list[tuple[str, str]]
    ) -> None:
        """Replace the cells ``delete`` (the cells from ``start``) by new code cells
        ``(uri, text)``, as an editor sends a structure change."""
        for uri, text in add:
            self.texts[uri] = text
            self.versions[uri] = 1
        self.versions[notebook] += 1
        code = types.NotebookCellKind.Code
        self.client.notebook_document_did_change(
            types.DidChangeNotebookDocumentParams(
                types.VersionedNotebookDocumentIdentifier(self.versions[notebook], notebook),
                types.NotebookDocumentChangeEvent(
                    cells=types.NotebookDocumentCellChanges(
                        structure=types.NotebookDocumentCellChangeStructure(
                            array=types.NotebookCellArrayChange(
                                start, len(delete), [types.NotebookCell(code, u) for u, _ in add]
                            ),
                            did_open=[
                                types.TextDocumentItem(u, "python", 1, text) for u, text in add
                            ],
                            did_close=[types.TextDocumentIdentifier(u) for u in delete],
                        )
                    )
                ),
            )
        )

    def close_notebook(self, uri: str, cells: list[str]) -> None:
        self.client.notebook_document_did_close(
            types.DidCloseNotebookDocumentParams(
                types.NotebookDocumentIdentifier(uri),
                [types.TextDocumentIdentifier(c) for c in cells],
            )
        )

    def apply_workspace_edit(self, edit: types.WorkspaceEdit) -> int:
        """What an editor does with a code action's edit: refuse it if it names another
        version of the document, else apply it and send the change."""
        assert edit.document_changes, edit
        (change,) = edit.document_changes
        assert isinstance(change, types.TextDocumentEdit)
        uri = change.text_document.uri
        assert change.text_document.version == self.versions[uri], "edit for another version"
        text_edits = [e for e in change.edits if isinstance(e, types.TextEdit)]
        return self.change(uri, *text_edits)

    # Waiting.

    async def diagnostics(
        self, uri: str, version: int | None, after: int = 0
    ) -> list[types.Diagnostic]:
        """The diagnostics published for ``version`` of ``uri`` (None: with no version), in
        the ``after``-th publication or a later one."""
        found: list[Published] = []

        def ready() -> bool:
            found[:] = [p for p in self.published[after:] if p.uri == uri and p.version == version]
            return bool(found)

        await wait_until(ready, f"diagnostics for {uri} version {version}")
        return found[-1].diagnostics

    async def log_containing(self, needle: str) -> types.LogMessageParams:
        hits: list[types.LogMessageParams] = []

        def ready() -> bool:
            hits[:] = [m for m in self.client.log_messages if needle in m.message]
            return bool(hits)

        await wait_until(ready, f"a log message containing {needle!r}")
        return hits[0]

    # Requests.

    async def code_actions(
        self, uri: str, rng: types.Range, only: list[str] | None = None
    ) -> list[types.CodeAction]:
        result = await asyncio.wait_for(
            self.client.text_document_code_action_async(
                types.CodeActionParams(
                    text_document=types.TextDocumentIdentifier(uri),
                    range=rng,
                    context=types.CodeActionContext(diagnostics=[], only=only),
                )
            ),
            TIMEOUT,
        )
        return [a for a in result or [] if isinstance(a, types.CodeAction)]

    async def hover(self, uri: str, line: int, character: int) -> types.Hover | None:
        return await asyncio.wait_for(
            self.client.text_document_hover_async(
                types.HoverParams(
                    types.TextDocumentIdentifier(uri), types.Position(line, character)
                )
            ),
            TIMEOUT,
        )


async def wait_until(predicate: Callable[[], bool], what: str, timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


def offset_of(text: str, position: types.Position, encoding: str) -> int:
    lines = text.split("\n")
    start = sum(len(line) + 1 for line in lines[: position.line])
    line = lines[position.line] if position.line < len(lines) else ""
    seen = 0
    for index, ch in enumerate(line):
        if seen >= position.character:
            return start + index
        if encoding == types.PositionEncodingKind.Utf8:
            seen += len(ch.encode("utf-8"))
        elif encoding == types.PositionEncodingKind.Utf16:
            seen += 2 if ord(ch) > 0xFFFF else 1
        else:
            seen += 1
    return start + len(line)


def apply_edit(text: str, edit: types.TextEdit, encoding: str) -> str:
    start = offset_of(text, edit.range.start, encoding)
    end = offset_of(text, edit.range.end, encoding)
    return text[:start] + edit.new_text + text[end:]


def capabilities(
    *,
    encodings: list[str] | None = None,
    pull: bool = False,
    configuration: bool = False,
    experimental: Any = None,
    notebooks: bool = False,
    progress: bool = False,
) -> types.ClientCapabilities:
    return types.ClientCapabilities(
        window=types.WindowClientCapabilities(work_done_progress=True) if progress else None,
        experimental=experimental,
        notebook_document=types.NotebookDocumentClientCapabilities(
            synchronization=types.NotebookDocumentSyncClientCapabilities()
        )
        if notebooks
        else None,
        general=types.GeneralClientCapabilities(position_encodings=encodings)
        if encodings
        else None,
        text_document=types.TextDocumentClientCapabilities(
            publish_diagnostics=types.PublishDiagnosticsClientCapabilities(
                related_information=True, version_support=True
            ),
            diagnostic=types.DiagnosticClientCapabilities() if pull else None,
            hover=types.HoverClientCapabilities(
                content_format=[types.MarkupKind.Markdown, types.MarkupKind.PlainText]
            ),
            code_action=types.CodeActionClientCapabilities(
                code_action_literal_support=types.ClientCodeActionLiteralOptions(
                    code_action_kind=types.ClientCodeActionKindOptions(
                        value_set=[types.CodeActionKind.QuickFix, types.CodeActionKind.Source]
                    )
                ),
                is_preferred_support=True,
            ),
        ),
        workspace=types.WorkspaceClientCapabilities(
            workspace_edit=types.WorkspaceEditClientCapabilities(document_changes=True),
            configuration=configuration,
        ),
    )


def recorder(received: list[Any]) -> Callable[[Any], None]:
    """A notification handler that keeps each notification's params (pygls passes only
    them: the first parameter is neither named ``ls`` nor annotated as the client)."""

    def record(params: Any) -> None:
        received.append(params)

    return record


Starter = Callable[..., Awaitable[Session]]


@pytest_asyncio.fixture
async def start() -> AsyncIterator[Starter]:
    """``await start(...)`` starts a server and initialises a session with it; every
    server started is shut down at the end of the test."""
    sessions: list[Session] = []

    async def starter(
        *,
        env: dict[str, str] | None = None,
        init_options: Any = None,
        folders: list[Path] | None = None,
        configuration: dict[str, Any] | None = None,
        command: tuple[str, ...] = ("-m", "unleak.lsp"),
        record: tuple[str, ...] = (),
        **caps: Any,
    ) -> Session:
        client = LanguageClient(converter_factory=default_converter, configuration=configuration)
        session = Session(client)
        features = dict(DEFAULT_CLIENT_FEATURES)

        def publish(_client: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
            session.published.append(
                Published(params.uri, params.version, list(params.diagnostics))
            )

        features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = publish
        for method in record:
            features[method] = recorder(session.notifications.setdefault(method, []))
        register_lsp_features(client, features)
        server_env = dict(os.environ)
        server_env.update(env or {})
        await client.start_io(sys.executable, *command, env=server_env)
        sessions.append(session)
        workspace_folders = (
            [types.WorkspaceFolder(uri=f.as_uri(), name=f.name) for f in folders]
            if folders
            else None
        )
        result = await asyncio.wait_for(
            client.initialize_session(
                types.InitializeParams(
                    capabilities=capabilities(configuration=configuration is not None, **caps),
                    initialization_options=init_options,
                    workspace_folders=workspace_folders,
                    root_uri=folders[0].as_uri() if folders else None,
                )
            ),
            TIMEOUT,
        )
        session.encoding = str(
            result.capabilities.position_encoding or types.PositionEncodingKind.Utf16
        )
        session.server_capabilities = result.capabilities
        return session

    yield starter
    for session in sessions:
        try:
            await asyncio.wait_for(session.client.shutdown_session(), TIMEOUT)
        finally:
            process = session.client._server
            if process is not None and process.returncode is None:
                process.kill()
            await asyncio.wait_for(session.client.stop(), TIMEOUT)
