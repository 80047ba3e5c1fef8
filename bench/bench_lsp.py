"""Latency of the language server: from ``didChange`` to the matching ``publishDiagnostics``.

    .venv/bin/python bench/bench_lsp.py                 # unleak server
    .venv/bin/python bench/bench_lsp.py --ruff          # and `ruff server` on the same files
    .venv/bin/python bench/bench_lsp.py --edits 40

Opens standard-library files of about 300, 2,000 and 6,400 lines (``shlex``, ``subprocess``,
``_pydecimal``) in one server, then sends one-character edits (a trailing space added, then
removed) on a line inside a function near the middle of each file, one at a time, and times
each edit until the diagnostics for its version arrive. Prints start-to-initialized time,
medians and p95 per file.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import os
import statistics
import sys
import sysconfig
import time
from collections.abc import Sequence
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

FILES = ("shlex.py", "subprocess.py", "_pydecimal.py")


def edit_line(text: str) -> int:
    """A 0-based line inside a function body near the middle of the module."""
    tree = ast.parse(text)
    middle = len(text.splitlines()) // 2
    best: tuple[int, int] | None = None
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            line = node.body[-1].end_lineno or node.body[-1].lineno
            distance = abs(line - middle)
            if best is None or distance < best[0]:
                best = (distance, line)
    assert best is not None, "no function"
    return best[1] - 1


def p95(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


async def run(name: str, command: Sequence[str], paths: list[Path], edits: int) -> None:
    client = LanguageClient("bench", "1")
    arrived: dict[tuple[str, int | None], float] = {}

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def published(params: types.PublishDiagnosticsParams) -> None:
        arrived.setdefault((params.uri, params.version), time.perf_counter())

    @client.feature(types.WINDOW_LOG_MESSAGE)
    def log(params: types.LogMessageParams) -> None:
        pass

    async def wait(uri: str, version: int) -> float:
        deadline = time.perf_counter() + 60
        while (uri, version) not in arrived:
            if time.perf_counter() > deadline:
                raise TimeoutError(f"{name}: no diagnostics for {uri} version {version}")
            await asyncio.sleep(0.0005)
        return arrived[(uri, version)]

    # Keep the initialize result as raw JSON: some servers' capabilities (ruff's notebook
    # filters) do not fit lsprotocol's converter.
    result_type = client.protocol.get_result_type
    client.protocol.get_result_type = (  # type: ignore[method-assign]
        lambda method: None if method == types.INITIALIZE else result_type(method)
    )
    started = time.perf_counter()
    await client.start_io(command[0], *command[1:], env=dict(os.environ))
    caps = types.ClientCapabilities(
        text_document=types.TextDocumentClientCapabilities(
            publish_diagnostics=types.PublishDiagnosticsClientCapabilities(version_support=True)
        )
    )
    await client.initialize_async(
        types.InitializeParams(capabilities=caps, process_id=os.getpid())
    )
    client.initialized(types.InitializedParams())
    ready = time.perf_counter()
    print(f"{name}: start to initialized {1000 * (ready - started):.0f} ms")
    for path in paths:
        text = path.read_text(encoding="utf-8")
        uri = path.as_uri()
        line = edit_line(text)
        end = len(text.splitlines()[line])
        sent = time.perf_counter()
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)
            )
        )
        opened = await wait(uri, 1) - sent
        latencies: list[float] = []
        for i in range(edits):
            version = i + 2
            if i % 2 == 0:
                change = types.TextDocumentContentChangePartial(
                    types.Range(types.Position(line, end), types.Position(line, end)), " "
                )
            else:
                change = types.TextDocumentContentChangePartial(
                    types.Range(types.Position(line, end), types.Position(line, end + 1)), ""
                )
            sent = time.perf_counter()
            client.text_document_did_change(
                types.DidChangeTextDocumentParams(
                    types.VersionedTextDocumentIdentifier(uri=uri, version=version), [change]
                )
            )
            latencies.append(await wait(uri, version) - sent)
        ms = [1000 * x for x in latencies]
        print(
            f"{name}: {path.name:<16} {len(text.splitlines()):>6} lines  "
            f"open {1000 * opened:7.1f} ms  edit median {statistics.median(ms):6.1f} ms  "
            f"p95 {p95(ms):6.1f} ms  ({edits} edits)"
        )
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--ruff", action="store_true", help="also time `ruff server`")
    ns = parser.parse_args(argv)
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    paths = [stdlib / name for name in FILES]
    servers: list[tuple[str, list[str]]] = [("unleak", [sys.executable, "-m", "unleak.lsp"])]
    if ns.ruff:
        ruff = Path(sys.executable).with_name("ruff")
        servers.append(("ruff", [str(ruff) if ruff.exists() else "ruff", "server"]))
    for name, command in servers:
        asyncio.run(run(name, command, paths, ns.edits))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
