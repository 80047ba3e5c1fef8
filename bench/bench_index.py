"""The language server's project index on a large workspace: memory, and whether indexing
delays an opened document's first diagnostics.

    .venv/bin/python bench/bench_index.py               # 2,000 files
    .venv/bin/python bench/bench_index.py --files 500

Copies that many modules (the standard library's, then the installed packages' of this
Python; tests left out) into a temporary workspace and starts ``unleak server`` with it as
the workspace folder. Right after ``initialized`` it opens one module of the workspace
(``subprocess.py``) and times its first diagnostics, while the index is being built in the
background; then it waits for the index ("unleak: indexed" in the server's log) and reads
the server's resident memory (VmRSS, from /proc). For comparison, the same document's first
diagnostics from a server started without a workspace folder (nothing to index).

Targets (issue 11): RSS under 250 MiB with 2,000 files indexed; the first diagnostics of
an opened document not delayed by indexing. Results also go to ``bench/results/index-*.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sys
import sysconfig
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from bench_lsp import rss_mib  # bench/ is this script's directory
from lsprotocol import types
from pygls.lsp.client import LanguageClient

HERE = Path(__file__).resolve().parent
OPENED = "subprocess.py"


def source_files(count: int) -> list[tuple[Path, Path]]:
    """Up to ``count`` (root, file) pairs: standard-library modules, then the installed
    packages of this Python (tests and tools left out), ``subprocess.py`` first."""
    paths = sysconfig.get_paths()
    stdlib = Path(paths["stdlib"])
    skip = {"test", "tests", "idlelib", "lib2to3", "site-packages", "__pycache__", "turtledemo"}
    picked = [(stdlib, stdlib / OPENED)]
    for root in (stdlib, Path(paths["purelib"])):
        for directory, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if d not in skip and not d.startswith("."))
            for name in sorted(files):
                path = Path(directory) / name
                if name.endswith(".py") and path != stdlib / OPENED:
                    picked.append((root, path))
                if len(picked) >= count:
                    return picked
    return picked


class Server:
    def __init__(self, command: Sequence[str]) -> None:
        self.command = command
        self.client = LanguageClient("bench-index", "1")
        self.published: dict[str, float] = {}
        self.logs: list[tuple[float, str]] = []

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params: types.PublishDiagnosticsParams) -> None:
            self.published.setdefault(params.uri, time.perf_counter())

        @self.client.feature(types.WINDOW_LOG_MESSAGE)
        def log(params: types.LogMessageParams) -> None:
            self.logs.append((time.perf_counter(), params.message))

        @self.client.feature(types.WORKSPACE_CONFIGURATION)
        def configuration(params: types.ConfigurationParams) -> list[object]:
            return [None for _ in params.items]

    async def start(self, folder: Path | None) -> None:
        await self.client.start_io(self.command[0], *self.command[1:], env=dict(os.environ))
        text = types.TextDocumentClientCapabilities(
            publish_diagnostics=types.PublishDiagnosticsClientCapabilities(version_support=True)
        )
        caps = types.ClientCapabilities(
            text_document=text, workspace=types.WorkspaceClientCapabilities(workspace_folders=True)
        )
        folders = [types.WorkspaceFolder(folder.as_uri(), folder.name)] if folder else None
        await self.client.initialize_async(
            types.InitializeParams(
                capabilities=caps,
                process_id=os.getpid(),
                workspace_folders=folders,
                root_uri=folder.as_uri() if folder else None,
            )
        )
        self.client.initialized(types.InitializedParams())

    @property
    def pid(self) -> int | None:
        server = getattr(self.client, "_server", None)
        return getattr(server, "pid", None)

    def open(self, path: Path) -> float:
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                types.TextDocumentItem(
                    uri=path.as_uri(),
                    language_id="python",
                    version=1,
                    text=path.read_text(encoding="utf-8"),
                )
            )
        )
        return time.perf_counter()

    async def first_diagnostics(self, path: Path, sent: float, timeout: float = 120) -> float:
        deadline = time.perf_counter() + timeout
        while path.as_uri() not in self.published:
            if time.perf_counter() > deadline:
                raise TimeoutError(f"no diagnostics for {path}")
            await asyncio.sleep(0.001)
        return 1000 * (self.published[path.as_uri()] - sent)

    async def indexed(self, timeout: float = 900) -> tuple[float, str]:
        deadline = time.perf_counter() + timeout
        while True:
            for at, message in self.logs:
                if "unleak: indexed" in message:
                    return at, message
            if time.perf_counter() > deadline:
                raise TimeoutError("the index was not built")
            await asyncio.sleep(0.05)

    async def stop(self) -> None:
        try:
            await asyncio.wait_for(self.client.shutdown_async(None), 30)
            self.client.exit(None)
        finally:
            await self.client.stop()


async def measure(command: Sequence[str], workspace: Path, opened: Path) -> dict[str, object]:
    alone = Server(command)
    await alone.start(None)
    sent = alone.open(opened)
    without_index_ms = await alone.first_diagnostics(opened, sent)
    await alone.stop()

    server = Server(command)
    started = time.perf_counter()
    await server.start(workspace)
    sent = server.open(opened)
    while_indexing_ms = await server.first_diagnostics(opened, sent)
    at, message = await server.indexed()
    index_s = at - started
    await asyncio.sleep(1)  # let what the index's completion republishes settle
    rss = rss_mib(server.pid) if server.pid is not None else None
    await server.stop()
    return {
        "first_diagnostics_ms_without_index": round(without_index_ms, 1),
        "first_diagnostics_ms_while_indexing": round(while_indexing_ms, 1),
        "opened_before_index_done": while_indexing_ms / 1000 < index_s,
        "index_s": round(index_s, 2),
        "index_log": message,
        "rss_mib_indexed": None if rss is None else round(rss, 1),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=2000, help="workspace size (default 2000)")
    ns = parser.parse_args(argv)
    files = source_files(ns.files)
    command = [sys.executable, "-m", "unleak", "server"]
    with tempfile.TemporaryDirectory(prefix="unleak-index-") as tmp:
        workspace = Path(tmp) / "workspace"
        for n, (root, path) in enumerate(files):
            # Standard library at the top (its package names), installed packages below.
            base = workspace if n == 0 or root == files[0][0] else workspace / "site"
            target = base / path.relative_to(root)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        opened = workspace / OPENED
        result = asyncio.run(measure(command, workspace, opened))
    result["files"] = len(files)
    result["load"] = [round(x, 2) for x in os.getloadavg()]
    lines = [
        f"workspace: {len(files)} files (standard library, then installed packages);"
        f" load {result['load']}",
        f"index built in {result['index_s']} s ({result['index_log']})",
        f"first diagnostics of {OPENED}: {result['first_diagnostics_ms_while_indexing']} ms "
        f"while indexing, {result['first_diagnostics_ms_without_index']} ms with no index "
        f"({'before' if result['opened_before_index_done'] else 'after'} the index was done)",
        f"server RSS with the index built: {result['rss_mib_indexed']} MiB (target < 250 MiB)",
    ]
    print("\n".join(lines))
    out = HERE / "results" / f"index-{time.strftime('%Y%m%dT%H%M%S')}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"written: {out.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
