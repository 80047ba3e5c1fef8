"""The project index in the editor: one per workspace folder, built in the background from
the same summaries `unleak check` uses (and shares through the index cache), kept up to date
from open documents' edits and from file-watch events for the others.

A document is analysed with its view of its folder's index (whatever is known: it does not
wait for the build); when a view changes (the build completed, a dependency was edited) the
document is analysed again. So each file gets what `unleak check` over the folder reports.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from unleak.index.model import ModuleSummary
from unleak.index.modules import ModuleNamer
from unleak.index.project import ProjectIndex
from unleak.index.store import IndexStore, StoredFile, extras_key
from unleak.lsp.documents import uri_to_path
from unleak.lsp.index_worker import ChildSummaries
from unleak.lsp.logs import logger
from unleak.settings import Settings
from unleak.source.notebook import NOTEBOOK_SUFFIX, NotebookError, is_notebook, join_notebook

if TYPE_CHECKING:
    from unleak.config import Config
    from unleak.lsp.documents import Document
    from unleak.lsp.notebooks import Notebook
    from unleak.lsp.server import UnleakServer
    from unleak.settings import ExtraResource

# A document's edits update the index after this pause in typing.
EDIT_PAUSE = 0.4
# From this many files to summarise, a build starts a child process for them (index_worker).
CHILD_THRESHOLD = 32
# The files the index summarises (a notebook: its code cells, joined as `unleak check` does).
SOURCE_SUFFIXES = (".py", ".pyi", NOTEBOOK_SUFFIX)


def module_name(path: str | None) -> str:
    """The dotted module name of a file, as `unleak check` names it."""
    return ModuleNamer().name(path) if path else ""


@dataclass
class FolderIndex:
    uri: str
    root: str  # absolute path of the folder
    config: Config | None = None
    index: ProjectIndex = field(default_factory=ProjectIndex)
    by_path: dict[str, ModuleSummary] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    ready: bool = False
    files: int = 0
    by_child: int = 0  # files the last build summarised in a child process

    def contains(self, path: str) -> bool:
        return path == self.root or path.startswith(self.root.rstrip(os.sep) + os.sep)

    def put(self, path: str, summary: ModuleSummary) -> None:
        with self.lock:
            old = self.by_path.get(path)
            self.by_path[path] = summary
            if old is not None and old.name != summary.name:
                self._drop_name(old.name, path)
            self.index.put(summary)

    def remove(self, path: str) -> None:
        with self.lock:
            old = self.by_path.pop(path, None)
            if old is not None:
                self._drop_name(old.name, path)

    def _drop_name(self, name: str, path: str) -> None:
        # Another file of the same module name (two `conftest`s) takes over, if any.
        other = next((s for p, s in self.by_path.items() if s.name == name and p != path), None)
        if other is not None:
            self.index.put(other)
        else:
            self.index.remove(name)

    def view(self, path: str, name: str) -> dict[str, Any]:
        with self.lock:
            summary = self.by_path.get(path)
            if summary is None:
                return self.index.view_for(name, ())
            return self.index.view_for(name, summary.needs(), summary.calls)


class Indexer:
    def __init__(self, server: UnleakServer) -> None:
        self.server = server
        self.folders: dict[str, FolderIndex] = {}
        self.executor = ThreadPoolExecutor(1, thread_name_prefix="unleak-index")
        self.child = ChildSummaries()  # summarises a folder's files while it is being built
        self.views: dict[str, dict[str, Any]] = {}  # uri -> the view its analysis used
        self._edit_timers: dict[str, asyncio.TimerHandle] = {}
        self._progress = 0
        self.builds: set[asyncio.Task[None]] = set()  # kept, or they may be collected

    # -- what analyses use ----------------------------------------------------------------

    def folder_for(self, path: str | None) -> FolderIndex | None:
        if path is None:
            return None
        path = os.path.abspath(path)
        best = None
        for folder in self.folders.values():
            if folder.contains(path) and (best is None or len(folder.root) > len(best.root)):
                best = folder
        return best

    def settings_for(self, doc: Document, engine: Settings) -> Settings:
        """The document's settings with its view of the index (called in the analysis
        thread). A notebook's cell has its notebook's."""
        uri, path = self._source_of(doc)
        return self.settings_for_path(uri, path, engine)

    def settings_for_path(self, uri: str, path: str | None, engine: Settings) -> Settings:
        folder = self.folder_for(path)
        view: dict[str, Any] = {}
        if folder is not None and path is not None:
            path = os.path.abspath(path)
            view = folder.view(path, module_name(path))
        self.views[uri] = view
        return replace(engine, external_summaries=view) if view else engine

    def _source_of(self, doc: Document) -> tuple[str, str | None]:
        """The URI and path of the module a document is analysed as (a cell: its notebook)."""
        if doc.notebook is not None:
            return doc.notebook, uri_to_path(doc.notebook)
        return doc.uri, doc.path

    def _open_paths(self) -> set[str | None]:
        docs = self.server.documents.values()
        paths = {os.path.abspath(p) for d in docs if (p := self._source_of(d)[1]) is not None}
        return {*paths, None}

    # -- building -------------------------------------------------------------------------

    def start(self, folder_uris: list[str]) -> None:
        loop = asyncio.get_running_loop()
        known = set(self.folders)
        for uri in folder_uris:
            path = uri_to_path(uri)
            if path is None or uri in known:
                continue
            folder = FolderIndex(uri, os.path.abspath(path))
            self.folders[uri] = folder
            self.builds.add(loop.create_task(self._build(folder)))
        for uri in known - set(folder_uris):
            self.folders.pop(uri, None)

    async def _build(self, folder: FolderIndex) -> None:
        token = f"unleak-index-{self._progress}"
        self._progress += 1
        progress = await self._begin(token, folder)
        loop = asyncio.get_running_loop()
        started = time.monotonic()

        def report(done: int, total: int) -> None:
            if progress:
                loop.call_soon_threadsafe(self._report, token, done, total)

        try:
            await loop.run_in_executor(self.executor, self._build_sync, folder, report)
        except Exception:
            logger.exception("internal error indexing %s", folder.root)
        finally:
            folder.ready = True
            self.builds = {t for t in self.builds if not t.done()}
            if progress:
                self._end(token, folder)
        logger.info(
            "unleak: indexed %d files of %s in %.2f s (%d summarised in a child process)",
            folder.files,
            folder.root,
            time.monotonic() - started,
            folder.by_child,
        )
        self.refresh()

    async def _begin(self, token: str, folder: FolderIndex) -> bool:
        from lsprotocol import types

        window = self.server.client_capabilities.window
        if not (window and window.work_done_progress):
            return False
        try:
            await asyncio.wait_for(self.server.work_done_progress.create_async(token), 5)
        except Exception as exc:
            logger.debug("window/workDoneProgress/create failed: %s", exc)
            return False
        self.server.work_done_progress.begin(
            token,
            types.WorkDoneProgressBegin(
                title="unleak: indexing", message=os.path.basename(folder.root), percentage=0
            ),
        )
        return True

    def _report(self, token: str, done: int, total: int) -> None:
        from lsprotocol import types

        self.server.work_done_progress.report(
            token,
            types.WorkDoneProgressReport(
                message=f"{done}/{total} files", percentage=done * 100 // max(total, 1)
            ),
        )

    def _end(self, token: str, folder: FolderIndex) -> None:
        from lsprotocol import types

        self.server.work_done_progress.end(
            token, types.WorkDoneProgressEnd(message=f"{folder.files} files")
        )

    def _build_sync(self, folder: FolderIndex, report: Callable[[int, int], None]) -> None:
        from unleak.cli.cache import CACHE_DIR_NAME
        from unleak.cli.discovery import discover

        config = self.server.store.project_config(Path(folder.root, "_.py").as_uri())
        folder.config = config
        files = discover([folder.root], config).files
        folder.files = len(files)
        store = IndexStore(config.root / CACHE_DIR_NAME, extras_key(config.extra_resources))
        stored = store.load()
        namer = ModuleNamer()
        open_paths = self._open_paths()
        done = 0

        def put(path: str, summary: ModuleSummary) -> None:
            nonlocal done
            if path not in open_paths or path not in folder.by_path:
                folder.put(path, summary)
            done += 1
            if done % 50 == 0:
                report(done, len(files))

        folder.by_child = 0
        todo: list[tuple[str, str]] = []
        for path in files:
            summary = self._stored(path, stored)
            if summary is None:
                todo.append((path, namer.name(path)))
            else:
                put(path, summary)
        # The rest in a child process (see index_worker); what it leaves, here.
        left = dict(todo)
        if len(todo) >= CHILD_THRESHOLD:
            for path, size, mtime_ns, data in self.child.run(todo, config.extra_resources):
                del left[path]
                folder.by_child += 1
                if data is None:
                    done += 1
                    continue
                summary = ModuleSummary.from_data(data)
                stored[path] = [size, mtime_ns, data]
                put(path, summary)
            self.child.close()
        for path, name in left.items():
            summary = self._summarise_file(path, name, config, stored)
            if summary is not None:
                put(path, summary)
            # Let the analysis thread run between files: an open document first.
            self.server.executor.wait_idle()
        if todo:
            store.save(stored)
        report(len(files), len(files))

    def _stored(self, path: str, stored: dict[str, StoredFile]) -> ModuleSummary | None:
        entry = stored.get(path)
        try:
            st = os.stat(path)
            if entry is not None and entry[0] == st.st_size and entry[1] == st.st_mtime_ns:
                return ModuleSummary.from_data(entry[2])
        except (OSError, TypeError, ValueError, IndexError, KeyError, AttributeError):
            pass
        stored.pop(path, None)
        return None

    def _summarise_file(
        self, path: str, name: str, config: Config, stored: dict[str, StoredFile] | None = None
    ) -> ModuleSummary | None:
        try:
            with open(path, "rb") as fh:
                st = os.fstat(fh.fileno())
                data = fh.read()
        except OSError:
            return None
        summary = self._summarise_bytes(data, path, name, config)
        if summary is not None and stored is not None:
            stored[path] = [st.st_size, st.st_mtime_ns, summary.to_data()]
        return summary

    def _summarise_bytes(
        self, data: bytes, path: str, name: str, config: Config
    ) -> ModuleSummary | None:
        return self.summarise_data(data, path, name, config.extra_resources)

    @staticmethod
    def summarise_data(
        data: bytes, path: str, name: str, extra_resources: tuple[ExtraResource, ...]
    ) -> ModuleSummary | None:
        """A file's summary from its bytes (None when it is not Python source)."""
        from unleak.source.text import SourceDecodeError, decode_source

        if is_notebook(path):
            try:
                text = join_notebook(data).text
            except NotebookError:
                return None
        elif b"\x00" in data:
            return None
        else:
            try:
                text = decode_source(data)
            except SourceDecodeError:
                return None
        return Indexer.summarise_text(text, path, name, extra_resources)

    @staticmethod
    def _summarise_text(text: str, path: str, name: str, config: Config) -> ModuleSummary | None:
        return Indexer.summarise_text(text, path, name, config.extra_resources)

    @staticmethod
    def summarise_text(
        text: str, path: str, name: str, extra_resources: tuple[ExtraResource, ...]
    ) -> ModuleSummary | None:
        import warnings

        from unleak.pipeline.api import summarise_source

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return summarise_source(text, path, name, Settings(extra_resources=extra_resources))
        except Exception:  # a file the engine cannot handle adds nothing to the index
            logger.debug("cannot summarise %s", path, exc_info=True)
            return None

    # -- updates --------------------------------------------------------------------------

    def document_changed(self, doc: Document, now: bool = False) -> None:
        """An open document's text changed (or was saved): update its summary after a pause
        in typing (``now``: at once)."""
        if doc.notebook is None:
            self._changed(doc.uri, doc.path, lambda: doc.lines.text, lambda: doc.closed, now)

    def notebook_changed(self, nb: Notebook, now: bool = False) -> None:
        """A notebook's cells changed: its summary is the joined cells'."""
        documents = self.server.documents
        text = lambda: nb.joined(documents, {}).text  # noqa: E731
        self._changed(nb.uri, nb.path, text, lambda: nb.closed, now)

    def _changed(
        self,
        uri: str,
        path: str | None,
        text_of: Callable[[], str],
        closed: Callable[[], bool],
        now: bool,
    ) -> None:
        folder = self.folder_for(path)
        if folder is None or path is None:
            return
        loop = asyncio.get_running_loop()
        timer = self._edit_timers.pop(uri, None)
        if timer is not None:
            timer.cancel()
        where = os.path.abspath(path)

        def submit() -> None:
            self._edit_timers.pop(uri, None)
            if closed():
                return
            text = text_of()
            path = where
            future = loop.run_in_executor(self.executor, self._update_text, folder, path, text)
            future.add_done_callback(lambda f: self._after_update(f))

        if now:
            submit()
        else:
            self._edit_timers[uri] = loop.call_later(EDIT_PAUSE, submit)

    def _update_text(self, folder: FolderIndex, path: str, text: str) -> bool:
        config = folder.config or self.server.store.project_config(Path(path).as_uri())
        summary = self._summarise_text(text, path, module_name(path), config)
        if summary is None or folder.by_path.get(path) == summary:
            return False
        folder.put(path, summary)
        return True

    def files_changed(self, changes: list[tuple[str, bool]]) -> None:
        """Files created, changed (False) or deleted (True) on disk; open documents are
        followed through their edits instead."""
        open_paths = self._open_paths()
        todo = [
            (os.path.abspath(p), deleted)
            for p, deleted in changes
            if p.endswith(SOURCE_SUFFIXES) and os.path.abspath(p) not in open_paths
        ]
        if not todo:
            return
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self.executor, self._update_files, todo)
        future.add_done_callback(lambda f: self._after_update(f))

    def _update_files(self, todo: list[tuple[str, bool]]) -> bool:
        changed = False
        for path, deleted in todo:
            folder = self.folder_for(path)
            if folder is None:
                continue
            if deleted or not os.path.isfile(path):
                changed |= path in folder.by_path
                folder.remove(path)
                continue
            config = folder.config or self.server.store.project_config(Path(path).as_uri())
            summary = self._summarise_file(path, module_name(path), config)
            if summary is not None and folder.by_path.get(path) != summary:
                folder.put(path, summary)
                changed = True
        return changed

    def _after_update(self, future: asyncio.Future[bool]) -> None:
        if future.cancelled():  # the server is shutting down
            return
        try:
            changed = future.result()
        except Exception:
            logger.exception("internal error updating the project index")
            return
        if changed:
            self.refresh()

    def refresh(self) -> None:
        """Analyse again the open documents whose view of the index changed."""
        for doc in list(self.server.documents.values()):
            uri, path = self._source_of(doc)
            folder = self.folder_for(path)
            if folder is None or path is None or doc.closed:
                continue
            path = os.path.abspath(path)
            if folder.view(path, module_name(path)) != self.views.get(uri, {}):
                logger.debug("dependencies of %s changed: analysing it again", doc.uri)
                self.server.reanalyse(doc)

    def shutdown(self) -> None:
        for timer in self._edit_timers.values():
            timer.cancel()
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.child.close()
