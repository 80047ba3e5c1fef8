"""The language server: documents, diagnostics as you type (push and pull), code actions,
hover, and settings. A thin front end over ``unleak.pipeline``.

Analysis runs in a worker thread, one document version at a time; when edits arrive faster
than analysis, the versions in between are never analysed, and a result is published only if
its version is still the document's current one.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import inspect
import json
import logging
import os
import time
from collections.abc import Generator
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInternalError
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method

import unleak
from unleak.findings.model import Finding
from unleak.lsp import malformed
from unleak.lsp import opening as opening_steps
from unleak.lsp.collector import IdleCollector
from unleak.lsp.convert import UTF16, TextLines, diagnostic, lean
from unleak.lsp.doc_status import INTERNAL_ERROR, DocumentStatus, wants_status
from unleak.lsp.documents import Analysis, CellOfModule, Document, uri_to_path
from unleak.lsp.foreground import ForegroundExecutor
from unleak.lsp.indexing import SOURCE_SUFFIXES, Indexer, module_name
from unleak.lsp.logs import logger, setup_logging
from unleak.lsp.notebooks import SYNC_OPTIONS as NOTEBOOK_SYNC
from unleak.lsp.notebooks import Notebook
from unleak.lsp.runtime import RuntimeReports, confirmed_messages, runtime_diagnostics
from unleak.lsp.settings import (
    SECTION,
    DocumentSettings,
    SettingsStore,
    parse_client_settings,
    same_location,
)
from unleak.lsp.typing_region import SYNTAX_ERROR_CODE, SYNTAX_ERROR_IDLE, held_back
from unleak.lsp.wire import DiagnosticsWire

# Test hooks, read once at start: analysing a document whose URI or text contains
# $UNLEAK_LSP_FAULT raises inside the analysis (an internal error); $UNLEAK_LSP_DELAY seconds
# are added to every analysis (to make analysis slower than a burst of edits).
FAULT_ENV = "UNLEAK_LSP_FAULT"
DELAY_ENV = "UNLEAK_LSP_DELAY"


# pygls' logger for what it fails to send (our own would send its messages to the client).
_RPC_LOG = logging.getLogger("pygls.protocol.json_rpc")


def _delay_from_env() -> float:
    try:
        return max(0.0, float(os.environ.get(DELAY_ENV, "0") or 0))
    except ValueError:
        return 0.0


class UnleakProtocol(LanguageServerProtocol):
    """pygls' protocol, except that the server keeps the documents' text itself (with LSP's
    line breaks), so pygls' own copy of every document is not maintained, and a message it
    cannot read is logged in one line (and answered if it is a request: lsp/malformed.py).
    Diagnostics are published from each one's JSON kept since it was first sent (lsp/wire.py).
    """

    def __init__(self, server: Any, converter: Any) -> None:
        super().__init__(server, converter)
        self.wire = DiagnosticsWire(converter)
        self._writes: set[asyncio.Future[Any]] = set()

    def notify(self, method: str, params: Any | None = None) -> None:
        if method == types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS and isinstance(
            params, types.PublishDiagnosticsParams
        ):
            self._send_text(self.wire.message(params))
            return
        super().notify(method, params)

    def _send_text(self, body: str) -> None:
        """Write a message already in JSON, as pygls' ``_send_data`` writes one."""
        if self.writer is None:
            _RPC_LOG.error("Unable to send data, no available transport!")
            return
        try:
            # The length in bytes: the text may not be ASCII (JSON escaped to ASCII is).
            data = body.encode(self.CHARSET)
            if self._include_headers:
                header = (
                    f"Content-Length: {len(data)}\r\n"
                    f"Content-Type: {self.CONTENT_TYPE}; charset={self.CHARSET}\r\n\r\n"
                )
                # Written apart: a large body is not copied once more behind its header.
                self._write(header.encode(self.CHARSET))
            self._write(data)
        except BrokenPipeError:
            _RPC_LOG.exception("Error sending data. BrokenPipeError", exc_info=True)
            raise
        except Exception as error:
            _RPC_LOG.exception("Error sending data", exc_info=True)
            self._server._report_server_error(error, JsonRpcInternalError)

    def _write(self, data: bytes) -> None:
        assert self.writer is not None
        res = self.writer.write(data)
        if inspect.isawaitable(res):
            task = asyncio.ensure_future(res)
            self._writes.add(task)  # kept until done (a task only weakly referenced may go)
            task.add_done_callback(self._writes.discard)

    def structure_message(self, data: dict[str, Any]) -> Any:
        if "jsonrpc" not in data:  # not a message (its params, say): as it is
            return data
        if (unread := malformed.bad_id(data)) is not None:
            return unread
        try:
            return super().structure_message(data)
        except JsonRpcException as error:
            return malformed.unreadable(data, error)

    def handle_message(self, message: Any) -> None:
        if isinstance(message, malformed.Unreadable):
            malformed.log_unreadable(message)
            known = message.method is not None and (
                message.method in self.fm.builtin_features or message.method in self.fm.features
            )
            error = malformed.answer(message, known)
            if error is not None and message.id is not None:
                self._send_response(message.id, None, error.to_response_error())
            return
        if not hasattr(message, "jsonrpc"):  # JSON, but no JSON-RPC message
            malformed.log_not_a_message(message)
            return
        super().handle_message(message)

    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(  # type: ignore[override]
        self, params: types.DidOpenTextDocumentParams
    ) -> Generator[Any, Any, None]:
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_OPEN)) is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(  # type: ignore[override]
        self, params: types.DidChangeTextDocumentParams
    ) -> Generator[Any, Any, None]:
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_CHANGE)) is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(  # type: ignore[override]
        self, params: types.DidCloseTextDocumentParams
    ) -> Generator[Any, Any, None]:
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_CLOSE)) is not None:
            yield handler, (params,), None

    # Notebooks too: their cells are documents the server keeps (lsp/notebooks.py).

    @lsp_method(types.NOTEBOOK_DOCUMENT_DID_OPEN)
    def lsp_notebook_document__did_open(  # type: ignore[override]
        self, params: types.DidOpenNotebookDocumentParams
    ) -> Generator[Any, Any, None]:
        if (handler := self.fm.features.get(types.NOTEBOOK_DOCUMENT_DID_OPEN)) is not None:
            yield handler, (params,), None

    @lsp_method(types.NOTEBOOK_DOCUMENT_DID_CHANGE)
    def lsp_notebook_document__did_change(  # type: ignore[override]
        self, params: types.DidChangeNotebookDocumentParams
    ) -> Generator[Any, Any, None]:
        if (handler := self.fm.features.get(types.NOTEBOOK_DOCUMENT_DID_CHANGE)) is not None:
            yield handler, (params,), None

    @lsp_method(types.NOTEBOOK_DOCUMENT_DID_CLOSE)
    def lsp_notebook_document__did_close(  # type: ignore[override]
        self, params: types.DidCloseNotebookDocumentParams
    ) -> Generator[Any, Any, None]:
        if (handler := self.fm.features.get(types.NOTEBOOK_DOCUMENT_DID_CLOSE)) is not None:
            yield handler, (params,), None


def module_name_for(path: str | None, root: Path) -> str:
    """The dotted module name of ``path``, as `unleak check` names it (packages are the
    directories with an ``__init__.py``); '' for a document with no path."""
    return module_name(path)


class UnleakServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            "unleak",
            unleak.__version__,
            protocol_cls=UnleakProtocol,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            notebook_document_sync=NOTEBOOK_SYNC,
        )
        self.documents: dict[str, Document] = {}
        self.notebooks: dict[str, Notebook] = {}  # by URI, when the client syncs notebooks
        self.log_handler = setup_logging(self)
        malformed.install_filter()
        self.store = SettingsStore(report=lambda message: logger.warning("%s", message))
        self.executor = ForegroundExecutor("unleak-analysis")
        self.fault = os.environ.get(FAULT_ENV) or None
        self.delay = _delay_from_env()
        self.encoding: str = UTF16
        self.pull_diagnostics = False
        self.related_information = True
        self.versioned_edits = False
        self.configuration_pull = False
        # Bumped when settings change: an analysis made under older settings is stale.
        self.epoch = 0
        self.loop: asyncio.AbstractEventLoop | None = None
        # Set once the client's settings are known (after `initialized` pulled them):
        # documents opened before then wait rather than flash diagnostics under defaults.
        self.settings_ready: asyncio.Event | None = None
        # Leaks seen at run time (`unleak trace` reports), and the task watching for new ones.
        self.runtime = RuntimeReports()
        self.report_watch: asyncio.Task[None] | None = None
        # Documents whose analysis failed, told to the client.
        self.status = DocumentStatus(self)
        # The project index of each workspace folder, built in the background.
        self.indexer = Indexer(self)
        # Full garbage collections wait for a pause in the analyses.
        self.collector = IdleCollector()

    def report_server_error(self, error: Exception, source: Any) -> None:
        # A message that is not JSON was logged in one line (logs.py); the client is not
        # sent a notification about each one.
        if isinstance(error, (json.JSONDecodeError, UnicodeDecodeError)):
            return
        super().report_server_error(error, source)

    # Analysis.

    def settings_for(self, doc: Document) -> DocumentSettings:
        return self.store.for_document(doc.uri)

    def _skip_reason(self, text: str, settings: DocumentSettings) -> str | None:
        if not settings.enable:
            return "disabled by the `enable` setting"
        limit = settings.max_file_size
        if len(text) > limit or (
            len(text) * 4 > limit and len(text.encode("utf-8", "surrogatepass")) > limit
        ):
            return f"larger than maxFileSize ({limit} bytes)"
        if "\x00" in text:
            return "contains NUL bytes (binary?)"
        return None

    def analyse(
        self, doc: Document, version: int, lines: TextLines, settings: DocumentSettings, epoch: int
    ) -> Analysis:
        """Analyse one version of a document (in the worker thread). Never raises."""
        skipped = self._skip_reason(lines.text, settings)
        if skipped is not None:
            return Analysis(version, lines, [], [], epoch, skipped=skipped)
        if self.delay:
            time.sleep(self.delay)
        try:
            if self.fault is not None and (self.fault in doc.uri or self.fault in lines.text):
                raise RuntimeError(f"fault injected by {FAULT_ENV}")
            from unleak.pipeline.live import LiveModule
            from unleak.pipeline.opening import Cancelled

            if doc.notebook is not None:
                return self._analyse_cell(doc, version, lines, settings, epoch)
            config = self.store.project_config(doc.uri)
            if doc.live is None:
                doc.live = LiveModule(doc.display_path, fixes=False)
            state = self._opening(doc, version, lines, epoch)
            collecting = gc.isenabled()
            if state is not None:
                # What an opening makes stays alive (its trees, its findings): the automatic
                # full collections, each scanning all of it, cost a third of the CPU.
                # It is frozen at the end, unscanned (lsp/collector.py).
                gc.disable()
            try:
                report = doc.live.analyse(
                    lines.text,
                    self.indexer.settings_for(doc, settings.engine),
                    module_name(doc.path),
                    lines.source_lines(),
                    steps=state.engine if state is not None else None,
                )
                if state is not None:
                    self.collector.made_unscanned()
            except Cancelled:  # closing the document or new settings abandoned the opening
                if self.loop is not None and state is not None:
                    self.loop.call_soon_threadsafe(opening_steps.end, self, state)
                return Analysis(version, lines, [], [], epoch, skipped=opening_steps.CANCELLED)
            finally:
                if collecting:
                    gc.enable()
            findings = report.findings
            if not settings.show_syntax_errors:
                findings = [f for f in findings if f.code != SYNTAX_ERROR_CODE]
            linked = not lean(len(findings))
            related = linked and self.related_information
            found = doc.converted.diagnostics(
                findings, doc.uri, lines, self.encoding, related, linked
            )
            runtime, index = self.runtime.leaks_for(config.root, doc.path) if doc.path else ([], {})
            if index and doc.path:
                confirmed_messages(findings, found, index, doc.path)
            if runtime:
                found += runtime_diagnostics(
                    runtime, doc.uri, lines, self.encoding, self.related_information
                )
            return Analysis(
                version,
                lines,
                findings,
                found,
                epoch,
                runtime=runtime,
                lazy_fixes=True,
                related=related,
            )
        except Exception as error:
            said = f"{type(error).__name__}: {error}"
            if doc.logged_error == said:
                logger.error(
                    "internal error analysing %s (version %s) again: %s (traceback above)",
                    doc.uri,
                    version,
                    said,
                )
            else:
                logger.exception("internal error analysing %s (version %s)", doc.uri, version)
                doc.logged_error = said
            doc.live = None  # whatever it held may be inconsistent
            return Analysis(version, lines, [], [], epoch, skipped=INTERNAL_ERROR)

    def _opening(
        self, doc: Document, version: int, lines: TextLines, epoch: int
    ) -> opening_steps.OpeningState | None:
        """The steps in which a large document's first analysis is shown (in the worker
        thread), or None for an analysis in one go."""
        loop = self.loop
        if loop is None or not opening_steps.wanted(self, doc, lines):
            return None
        from unleak.pipeline.opening import Opening

        def publish(found: list[Finding], done: int, total: int) -> None:
            # For the newest text (typed meanwhile: the findings moved with the edits; the
            # event loop publishes them if it is still the newest).
            version, now = doc.version, doc.lines
            if now is not lines:
                found = opening_steps.moved_to(found, lines.lines, now.lines)
            # Converted here, as the full analysis's findings are: they share diagnostics.
            linked = not lean(len(found))
            related = linked and self.related_information
            shown = doc.converted.diagnostics(found, doc.uri, now, self.encoding, related, linked)
            loop.call_soon_threadsafe(
                opening_steps.show_step, self, doc, state, shown, done, total, version, now
            )

        def cancelled() -> bool:
            # A newer version does not abandon it: its analysis then reuses this one's
            # (an edit in a function, analysed alone), where starting again would prepare
            # the module again at each keystroke and blink the findings shown so far off.
            # Its steps are published for the newest text (lsp/opening.py: `edited`).
            return doc.closed or self.epoch != epoch

        engine = Opening(publish, cancelled, self.executor.run_urgent)
        state = opening_steps.OpeningState(version, epoch, engine)

        def again() -> None:
            # Between two steps: what the engine found so far is consistent.
            if opening_steps.showing(self, doc) is state:
                publish(engine.known(), len(engine.done), len(engine.regions))

        state.again = again
        doc.opening = state
        return state

    async def with_fixes(
        self, doc: Document, analysis: Analysis, findings: list[Finding]
    ) -> list[Finding]:
        """``findings`` (of ``analysis``) with their fixes, built now if the analysis came
        without them (in the analysis thread: the document's engine state is only used
        there); each built once per analysis."""
        if not analysis.lazy_fixes:
            return findings
        todo = [f for f in findings if id(f) not in analysis.fixed]
        if todo:
            live = doc.live

            def build() -> list[Finding]:
                from unleak.pipeline.live import LiveModule

                module = live if live is not None else LiveModule(doc.display_path, fixes=False)
                if live is None:  # an internal error dropped the state: analyse again
                    settings = self.indexer.settings_for(doc, self.settings_for(doc).engine)
                    module.analyse(analysis.lines.text, settings, module_name(doc.path))
                return module.with_fixes(analysis.lines.text, todo)

            loop = asyncio.get_running_loop()
            try:
                built = await loop.run_in_executor(self.executor, build)
            except Exception:
                logger.exception("internal error building fixes for %s", doc.uri)
                built = todo
            for before, after in zip(todo, built, strict=True):
                analysis.fixed[id(before)] = after
        return [analysis.fixed.get(id(f), f) for f in findings]

    def _analyse_cell(
        self, doc: Document, version: int, lines: TextLines, settings: DocumentSettings, epoch: int
    ) -> Analysis:
        """A notebook cell: the notebook's code cells analysed as one module (once for all
        its cells while nothing changes), then the findings in this cell."""
        from unleak.pipeline.live import LiveModule
        from unleak.pipeline.notebook import in_cell
        from unleak.source.text import source_lines

        nb = self.notebooks.get(doc.notebook or "")
        k = nb.position(doc.uri, self.documents) if nb is not None else None
        if nb is None or k is None:
            return Analysis(version, lines, [], [], epoch)
        joined = nb.joined(self.documents, {doc.uri: lines.text})
        path = nb.path
        engine = self.indexer.settings_for_path(nb.uri, path, settings.engine)
        if nb.last is not None and nb.last[0] == joined.text and nb.last[1] == engine:
            module_findings = nb.last[2]
        else:
            if nb.live is None:
                nb.live = LiveModule(path or nb.uri)
            report = nb.live.analyse(
                joined.text, engine, module_name(path), source_lines(joined.text)
            )
            module_findings = report.findings
            nb.last = (joined.text, engine, module_findings)
        cmap = joined.map
        origins: dict[int, Finding] = {}
        findings: list[Finding] = []
        for f in module_findings:
            if cmap.locate(f.span.line) != k:
                continue
            if not settings.show_syntax_errors and f.code == SYNTAX_ERROR_CODE:
                continue
            here = in_cell(f, cmap, k)
            origins[id(here)] = f
            findings.append(here)
        linked = not lean(len(findings))
        related = linked and self.related_information
        found = [diagnostic(f, doc.uri, lines, self.encoding, related, linked) for f in findings]
        module = CellOfModule(joined.text, cmap, k, origins)
        return Analysis(version, lines, findings, found, epoch, module=module, related=related)

    def schedule(self, doc: Document) -> None:
        """Make sure the newest version of ``doc`` gets analysed."""
        if doc.closed:
            return
        if doc.task is None or doc.task.done():
            doc.task = asyncio.get_running_loop().create_task(self._analyse_newest(doc))

    def reanalyse(self, doc: Document) -> None:
        """Analyse the current version again (what it depends on changed), after the
        analysis under way, if any."""
        if doc.closed:
            return
        previous = doc.task

        async def again() -> None:
            if previous is not None and not previous.done():
                with contextlib.suppress(Exception):  # it logged its own failure
                    await asyncio.shield(previous)
            await self._analyse_newest(doc)

        doc.task = asyncio.get_running_loop().create_task(again())

    async def _analyse_newest(self, doc: Document) -> None:
        loop = asyncio.get_running_loop()
        ready = self.settings_ready
        if ready is not None and not ready.is_set():
            try:
                await asyncio.wait_for(ready.wait(), 5)
            except asyncio.TimeoutError:
                logger.warning("no settings from the client after 5 s: using what is known")
                ready.set()
        while not doc.closed:
            version, lines, epoch = doc.version, doc.lines, self.epoch
            try:
                settings = self.settings_for(doc)
                analysis = await loop.run_in_executor(
                    self.executor, self.analyse, doc, version, lines, settings, epoch
                )
            except Exception:
                logger.exception("internal error scheduling analysis of %s", doc.uri)
                analysis = Analysis(version, lines, [], [], epoch, skipped=INTERNAL_ERROR)
            if doc.closed:
                return
            if doc.version != version or self.epoch != epoch:
                logger.debug("dropped stale results for %s version %s", doc.uri, version)
                continue
            self._store(doc, analysis)
            return

    def _store(self, doc: Document, analysis: Analysis) -> None:
        opened = doc.analysis is None  # the document's first analysis
        doc.analysis = analysis
        opening_steps.end(self, doc.opening)
        doc.opening = None
        skipped = analysis.skipped
        if skipped and skipped != INTERNAL_ERROR and doc.logged_skip != skipped:
            logger.info("unleak: not analysing %s: %s", doc.display_path, analysis.skipped)
        doc.logged_skip = analysis.skipped
        if skipped != INTERNAL_ERROR:
            doc.logged_error = None  # a failure after this one is news again
        self.status.analysed(doc, skipped)
        self._show(doc)
        self.collector.analysed(opened)

    def _show(self, doc: Document, after_pause: bool = False) -> None:
        """Publish the current analysis's diagnostics (or keep them for the next pull), less
        the syntax errors in the lines being typed: those wait for a pause."""
        analysis = doc.analysis
        if analysis is None:
            return
        now = time.monotonic()
        held = held_back(analysis.diagnostics, doc.typing, now)
        if held:
            gone = {id(h) for h in held}
            shown = [d for d in analysis.diagnostics if id(d) not in gone]
        else:
            shown = list(analysis.diagnostics)
        if held:
            self._show_after_pause(doc, now)
        changed = doc.shown is None or doc.shown != shown
        if changed:
            doc.result_seq += 1
            doc.result_id = f"{doc.result_seq}"
        doc.shown = shown
        if not self.pull_diagnostics:
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(
                    uri=doc.uri, diagnostics=shown, version=analysis.version
                )
            )
        elif after_pause and changed and self._refresh_support():
            self.workspace_diagnostic_refresh(None)

    def _show_after_pause(self, doc: Document, now: float) -> None:
        if doc.idle_timer is not None:
            doc.idle_timer.cancel()
        wait = SYNTAX_ERROR_IDLE - (doc.typing.idle_for(now) if doc.typing else 0.0)
        doc.idle_timer = asyncio.get_running_loop().call_later(
            max(wait, 0.0) + 0.01, self._paused, doc
        )

    def _paused(self, doc: Document) -> None:
        """The typing paused: show the syntax errors held back, if the analysis shown is
        still current (otherwise the newer one, on its way, shows them)."""
        doc.idle_timer = None
        analysis = doc.current()
        if doc.closed or analysis is None or analysis.epoch != self.epoch:
            return
        self._show(doc, after_pause=True)

    async def current_analysis(self, doc: Document) -> Analysis | None:
        """The analysis of the document's current version, waiting for it if needed; None
        if the document was closed meanwhile."""
        while not doc.closed:
            analysis = doc.current()
            if analysis is not None and analysis.epoch == self.epoch:
                return analysis
            self.schedule(doc)
            task = doc.task
            if task is not None:
                await asyncio.shield(task)
        return None

    def reanalyse_all(self) -> None:
        self.epoch += 1
        for doc in self.documents.values():
            self.schedule(doc)
        if self.pull_diagnostics and self._refresh_support():
            self.workspace_diagnostic_refresh(None)

    def _refresh_support(self) -> bool:
        workspace = self.client_capabilities.workspace
        return bool(workspace and workspace.diagnostics and workspace.diagnostics.refresh_support)

    # Settings.

    async def pull_configuration(self, folders: list[str] | None = None) -> None:
        """The client's settings, globally and for each of ``folders`` (default: the
        workspace's folders)."""
        if not self.configuration_pull:
            return
        folders = list(self.store.folders if folders is None else folders)
        items = [types.ConfigurationItem(section=SECTION)] + [
            types.ConfigurationItem(scope_uri=f, section=SECTION) for f in folders
        ]
        try:
            values = await asyncio.wait_for(
                self.workspace_configuration_async(types.ConfigurationParams(items=items)), 10
            )
        except Exception as exc:
            logger.warning("workspace/configuration failed: %s", exc)
            return
        problems: list[str] = []
        values = list(values or [])
        values += [None] * (len(items) - len(values))
        self.store.global_settings = parse_client_settings(values[0], problems, "settings")
        self.store.folder_settings = {
            folder: parse_client_settings(value, problems, f"settings of {folder}")
            for folder, value in zip(folders, values[1:], strict=False)
        }
        for problem in problems:
            self.store.problem(problem)
        self.apply_log_level()

    async def watch_reports(self) -> None:
        """Re-publish when a trace report changes (also for clients that cannot watch files)."""
        while True:
            await asyncio.sleep(self.runtime.poll_seconds)
            try:
                changed = self.runtime.changed()
            except Exception:
                logger.exception("internal error checking the trace reports")
                continue
            if changed:
                self.reanalyse_all()

    def apply_log_level(self) -> None:
        logger.setLevel(self.store.log_level())


def _folders(params: types.InitializeParams) -> list[str]:
    if params.workspace_folders:
        return [f.uri for f in params.workspace_folders]
    if params.root_uri:
        return [params.root_uri]
    if params.root_path:
        return [Path(os.path.abspath(params.root_path)).as_uri()]
    return []


def create_server() -> UnleakServer:
    server = UnleakServer()

    @server.feature(types.INITIALIZE)
    def initialize(params: types.InitializeParams) -> None:
        server.loop = asyncio.get_running_loop()
        server.log_handler.attach(server.loop)
        server.settings_ready = asyncio.Event()
        caps = params.capabilities
        encoding = server.workspace.position_encoding
        server.encoding = str(encoding) if encoding else UTF16
        text = caps.text_document
        server.pull_diagnostics = bool(text and text.diagnostic)
        publish = text.publish_diagnostics if text else None
        server.related_information = bool(publish is None or publish.related_information)
        workspace = caps.workspace
        server.versioned_edits = bool(
            workspace and workspace.workspace_edit and workspace.workspace_edit.document_changes
        )
        server.configuration_pull = bool(workspace and workspace.configuration)
        server.status.custom = wants_status(caps)
        if not server.configuration_pull:
            server.settings_ready.set()
        server.store.folders = _folders(params)
        server.store.root_uri = params.root_uri
        problems: list[str] = []
        server.store.init_options = parse_client_settings(
            params.initialization_options, problems, "initializationOptions"
        )
        server.apply_log_level()
        for problem in problems:
            server.store.problem(problem)
        logger.debug(
            "unleak %s: position encoding %s, %s diagnostics",
            unleak.__version__,
            server.encoding,
            "pull" if server.pull_diagnostics else "push",
        )
        server.collector.started()

    @server.feature(types.INITIALIZED)
    async def initialized(params: types.InitializedParams) -> None:
        server.report_watch = asyncio.get_running_loop().create_task(server.watch_reports())
        server.indexer.start(server.store.folders)
        workspace = server.client_capabilities.workspace
        registrations: list[types.Registration] = []
        if (
            workspace
            and workspace.did_change_configuration
            and workspace.did_change_configuration.dynamic_registration
        ):
            registrations.append(
                types.Registration(
                    id="unleak-configuration",
                    method=types.WORKSPACE_DID_CHANGE_CONFIGURATION,
                    register_options=types.DidChangeConfigurationRegistrationOptions(
                        section=SECTION
                    ),
                )
            )
        if (
            workspace
            and workspace.did_change_watched_files
            and workspace.did_change_watched_files.dynamic_registration
        ):
            registrations.append(
                types.Registration(
                    id="unleak-pyproject",
                    method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                    register_options=types.DidChangeWatchedFilesRegistrationOptions(
                        watchers=[
                            types.FileSystemWatcher(glob_pattern="**/pyproject.toml"),
                            types.FileSystemWatcher(glob_pattern="**/.unleak/trace.json"),
                            # The project index follows the files that are not open.
                            types.FileSystemWatcher(glob_pattern="**/*.py"),
                            types.FileSystemWatcher(glob_pattern="**/*.ipynb"),
                        ]
                    ),
                )
            )
        if registrations:
            try:
                await asyncio.wait_for(
                    server.client_register_capability_async(
                        types.RegistrationParams(registrations=registrations)
                    ),
                    10,
                )
            except Exception as exc:
                logger.debug("client/registerCapability failed: %s", exc)
        if server.configuration_pull:
            try:
                await server.pull_configuration()
            finally:
                if server.settings_ready is not None:
                    server.settings_ready.set()
            server.reanalyse_all()

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(params: types.DidChangeConfigurationParams) -> None:
        if server.configuration_pull:
            await server.pull_configuration()
        else:
            problems: list[str] = []
            server.store.global_settings = parse_client_settings(
                params.settings, problems, "settings"
            )
            for problem in problems:
                server.store.problem(problem)
            server.apply_log_level()
        server.reanalyse_all()

    @server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    async def did_change_folders(params: types.DidChangeWorkspaceFoldersParams) -> None:
        # Clients may spell a folder's URI differently each time (escapes, a final slash).
        removed = {same_location(f.uri) for f in params.event.removed}
        folders = [f for f in server.store.folders if same_location(f) not in removed]
        known = {same_location(f) for f in folders}
        folders += [f.uri for f in params.event.added if same_location(f.uri) not in known]
        # The new folders' settings first: a document is never analysed as in a folder whose
        # settings are not known yet (meanwhile it is analysed as before the change).
        await server.pull_configuration(folders)
        if server.store.root_uri is not None and same_location(server.store.root_uri) in removed:
            server.store.root_uri = folders[0] if folders else None
        server.store.folders = folders
        server.indexer.start(folders)
        server.reanalyse_all()

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(params: types.DidChangeWatchedFilesParams) -> None:
        sources = [
            (path, change.type == types.FileChangeType.Deleted)
            for change in params.changes
            if (path := uri_to_path(change.uri)) is not None and path.endswith(SOURCE_SUFFIXES)
        ]
        if sources:
            server.indexer.files_changed(sources)
            if len(sources) == len(params.changes):
                return
        if any(c.uri.endswith("/pyproject.toml") for c in params.changes):
            server.store.forget_projects()
            server.reanalyse_all()
        elif server.runtime.changed():  # a trace report
            server.reanalyse_all()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(params: types.DidOpenTextDocumentParams) -> None:
        item = params.text_document
        old = server.documents.get(item.uri)
        if old is not None:
            old.closed = True
        doc = Document(item.uri, item.version, TextLines(item.text), item.language_id)
        server.documents[item.uri] = doc
        server.schedule(doc)
        server.indexer.document_changed(doc, now=True)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(params: types.DidChangeTextDocumentParams) -> None:
        doc = server.documents.get(params.text_document.uri)
        if doc is None:
            logger.warning("didChange for a closed document: %s", params.text_document.uri)
            return
        try:
            doc.apply_changes(
                params.text_document.version,
                list(params.content_changes),
                server.encoding,
                time.monotonic(),
            )
        except Exception:
            logger.exception("cannot apply the changes to %s", doc.uri)
            return
        opening_steps.edited(server, doc)
        server.schedule(doc)
        server.indexer.document_changed(doc)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
    def did_save(params: types.DidSaveTextDocumentParams) -> None:
        doc = server.documents.get(params.text_document.uri)
        if doc is not None:
            server.indexer.document_changed(doc, now=True)
        if params.text_document.uri.endswith("/pyproject.toml"):
            server.store.forget_projects()
            server.reanalyse_all()

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(params: types.DidCloseTextDocumentParams) -> None:
        doc = server.documents.pop(params.text_document.uri, None)
        if doc is None:
            return
        doc.closed = True
        opening_steps.end(server, doc.opening)
        if doc.idle_timer is not None:
            doc.idle_timer.cancel()
        server.indexer.views.pop(doc.uri, None)
        if doc.path is not None:  # edits not saved: the index goes back to the file on disk
            server.indexer.files_changed([(doc.path, False)])
        server.status.closed(doc.uri)
        server.collector.released()
        if not server.pull_diagnostics:
            server.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=doc.uri, diagnostics=[])
            )

    @server.feature(
        types.TEXT_DOCUMENT_DIAGNOSTIC,
        types.DiagnosticOptions(
            identifier="unleak", inter_file_dependencies=False, workspace_diagnostics=False
        ),
    )
    async def pull(
        params: types.DocumentDiagnosticParams,
    ) -> types.DocumentDiagnosticReport:
        doc = server.documents.get(params.text_document.uri)
        analysis = await server.current_analysis(doc) if doc is not None else None
        if doc is None or analysis is None:
            return types.RelatedFullDocumentDiagnosticReport(items=[])
        if params.previous_result_id == doc.result_id:
            return types.RelatedUnchangedDocumentDiagnosticReport(result_id=doc.result_id)
        return types.RelatedFullDocumentDiagnosticReport(
            items=list(doc.shown if doc.shown is not None else analysis.diagnostics),
            result_id=doc.result_id,
        )

    @server.feature(types.SHUTDOWN)
    def shutdown(params: None) -> None:
        for doc in server.documents.values():
            doc.closed = True
        if server.report_watch is not None:
            server.report_watch.cancel()
        server.executor.shutdown(wait=False, cancel_futures=True)
        server.indexer.shutdown()
        server.collector.stop()

    from unleak.lsp import actions, hover, notebooks

    actions.register(server)
    hover.register(server)
    notebooks.register(server)
    return server
