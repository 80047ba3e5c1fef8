"""Latency of hovers over resource names in the language server.

    .venv/bin/python bench/bench_hover.py              # engine explanation and jedi
    .venv/bin/python bench/bench_hover.py --no-jedi    # the explanation alone

Opens standard-library files (``subprocess``, ``tarfile``, ``socketserver``), waits for
their diagnostics, finds one name per function that refers to an acquired resource (with
``unleak.findings.explain``), and hovers over each from the client twice. The first hover in
a document prepares the module (parse, names) and explains its function; a later first
hover in a function explains that function; the second hover is answered from the cache.
Prints medians and p95 for each.
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
from unleak.findings.explain import explain_at
from unleak.settings import Settings

FILES = ("subprocess.py", "tarfile.py", "socketserver.py")


def resource_positions(text: str, limit: int) -> list[types.Position]:
    """One name per function that refers to a resource (0-based positions)."""
    out: list[types.Position] = []
    for node in ast.walk(ast.parse(text)):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        explanation = explain_at(text, "x.py", Settings(), "", node.body[0].lineno)
        if explanation is None or not explanation.notes:
            continue
        for span, _name in explanation.occurrences:
            if explanation.at(span.line, span.column) is not None:
                out.append(types.Position(span.line - 1, span.column))
                break
        if len(out) >= limit:
            break
    return out


def p95(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


async def run(paths: list[Path], jedi: bool, limit: int) -> None:
    client = LanguageClient("bench", "1")
    published: set[str] = set()

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_diagnostics(params: types.PublishDiagnosticsParams) -> None:
        published.add(params.uri)

    env = dict(os.environ)
    if not jedi:
        env["UNLEAK_JEDI_TIMEOUT"] = "0"
    await client.start_io(sys.executable, "-m", "unleak.lsp", env=env)
    await client.initialize_async(types.InitializeParams(capabilities=types.ClientCapabilities()))
    client.initialized(types.InitializedParams())
    first: list[float] = []
    cold: list[float] = []
    warm: list[float] = []
    empty = 0
    for path in paths:
        text = path.read_text()
        uri = path.as_uri()
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "python", 1, text))
        )
        while uri not in published:  # hovers come after the diagnostics are shown
            await asyncio.sleep(0.01)
        for index, position in enumerate(resource_positions(text, limit)):
            for times in (first if index == 0 else cold, warm):
                start = time.perf_counter()
                hover = await client.text_document_hover_async(
                    types.HoverParams(types.TextDocumentIdentifier(uri), position)
                )
                times.append(time.perf_counter() - start)
                empty += hover is None
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    label = "with jedi" if jedi else "without jedi"
    print(f"{len(warm)} hovers over resource names ({label}), {empty} empty answers")
    for name, values in (
        ("first in a document", first),
        ("first in a function", cold),
        ("again (cached)", warm),
    ):
        median = statistics.median(values) * 1000
        print(f"  {name:20} median {median:6.1f} ms   p95 {p95(values) * 1000:6.1f} ms")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-jedi", action="store_true", help="time the explanation alone")
    parser.add_argument("--limit", type=int, default=15, help="functions per file")
    args = parser.parse_args(argv)
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    paths = [stdlib / name for name in FILES if (stdlib / name).exists()]
    asyncio.run(run(paths, not args.no_jedi, args.limit))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
