"""Latency of the language server, side by side with ``ruff server`` on the same files.

    .venv/bin/python bench/bench_lsp.py                 # unleak server, and ruff if found
    .venv/bin/python bench/bench_lsp.py --edits 40
    .venv/bin/python bench/bench_lsp.py --no-ruff

Opens standard-library files of about 350, 2,200 and 6,400 lines (``shlex``, ``subprocess``,
``_pydecimal``) and a ~20,000-line concatenation of standard-library modules, then sends
one-character edits (a space added at the end of a line inside a function near the middle of
the file, then removed), one at a time, and times each edit:

- push: from ``didChange`` to the ``publishDiagnostics`` for that version;
- pull: from ``didChange`` to the response of a ``textDocument/diagnostic`` request sent
  right after it (a client that supports pull diagnostics).

Prints start-to-initialized time, medians and p95 per file and mode, the ratio of unleak's
median to ruff's, and each server's resident memory (RSS, from /proc) after opening the
20,000-line file and 50 other standard-library files. Results also go to
``bench/results/lsp-*.json``.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import compileall
import json
import os
import random
import shutil
import statistics
import sys
import sysconfig
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls import client as pygls_client
from pygls.lsp.client import LanguageClient

FILES = ("shlex.py", "subprocess.py", "_pydecimal.py")
# Concatenated into one ~20,000-line module (none uses `from __future__`).
CONCATENATED = (
    "_pydecimal.py",
    "subprocess.py",
    "tarfile.py",
    "argparse.py",
    "typing.py",
    "inspect.py",
)
BIG_NAME = "concatenated_20k.py"
TARGET_BIG_LINES = 20_000
OTHER_FILES = 50


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


def concatenation(stdlib: Path, target: int) -> str:
    parts: list[str] = []
    lines = 0
    for name in CONCATENATED:
        text = (stdlib / name).read_text(encoding="utf-8")
        parts.append(text)
        lines += len(text.splitlines())
        if lines >= target:
            break
    text = "\n".join(parts)
    ast.parse(text)  # one valid module
    return text


def other_files(stdlib: Path, exclude: set[str], count: int) -> list[Path]:
    """Medium-sized modules, the same ones every run."""
    picked: list[Path] = []
    for path in sorted(stdlib.glob("*.py")):
        if path.name in exclude:
            continue
        size = path.stat().st_size
        if 5_000 <= size <= 60_000:
            picked.append(path)
        if len(picked) == count:
            break
    return picked


def rss_mib(pid: int) -> float | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return None


@dataclass
class FileResult:
    name: str
    lines: int
    open_ms: float
    push: list[float] = field(default_factory=list)
    pull: list[float] = field(default_factory=list)
    where: list[str] = field(default_factory=list)  # --anywhere: what each edit typed into
    hover_ms: float | None = None  # --anywhere, the generated module: its first hover
    # --anywhere: the same times up to the message's JSON read, before pygls' client builds
    # its objects (cattrs: seconds for 25,000 diagnostics, in this process, not the server).
    open_received_ms: float | None = None
    received: list[float] = field(default_factory=list)
    # --anywhere: what an editor waits for. To the message's last byte (everything the server
    # does), then that plus a plain ``json.loads`` of its bytes in this process (CPU time),
    # and plus V8's ``JSON.parse`` in a node process (what VS Code's client decodes a message
    # with), when node is found.
    open_bytes_ms: float | None = None
    open_loads_ms: float | None = None
    open_parsed_ms: float | None = None
    bytes_in: list[float] = field(default_factory=list)
    loads: list[float] = field(default_factory=list)
    parsed: list[float] = field(default_factory=list)
    message_bytes: list[int] = field(default_factory=list)
    # How many diagnostics the first publication had (a large module's first analysis is
    # published in steps: its first has the first functions' findings alone).
    open_count: int | None = None
    # --anywhere, the generated module: when every finding was published (a large module's
    # opening is published in steps; its edits are timed after it).
    complete_ms: float | None = None


@dataclass
class ServerResult:
    name: str
    initialized_ms: float = 0.0
    files: list[FileResult] = field(default_factory=list)
    rss_mib: float | None = None


class _TimedReader:
    """The server's output as pygls' client reads it, each message's body handed on once its
    last byte is read."""

    def __init__(self, reader: Any, read: Callable[[bytes], None]) -> None:
        self._reader = reader
        self._read = read

    async def readline(self) -> bytes:
        line: bytes = await self._reader.readline()
        return line

    async def readexactly(self, n: int) -> bytes:
        body: bytes = await self._reader.readexactly(n)
        self._read(body)
        return body


# Reads messages framed by a 4-byte length on stdin; for each, writes how long decoding it
# (UTF-8 to a string, then JSON.parse, as vscode-jsonrpc does) took, in ms.
_NODE_PARSER = r"""
let chunks = [], have = 0, need = -1;
process.stdin.on('data', (chunk) => {
  chunks.push(chunk); have += chunk.length;
  for (;;) {
    if (need < 0 && have >= 4) {
      const all = Buffer.concat(chunks); chunks = [all];
      need = all.readUInt32BE(0);
    }
    if (need < 0 || have < 4 + need) return;
    const all = Buffer.concat(chunks);
    const body = all.subarray(4, 4 + need);
    const rest = all.subarray(4 + need);
    chunks = rest.length ? [rest] : []; have = rest.length; need = -1;
    const started = process.hrtime.bigint();
    JSON.parse(body.toString('utf8'));
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    process.stdout.write(ms.toFixed(3) + '\n');
  }
});
"""


class NodeParser:
    """A node process that decodes messages as VS Code's client does (V8's JSON.parse) and
    says how long each took."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self._process = process

    @classmethod
    async def start(cls) -> NodeParser | None:
        node = shutil.which("node")
        if node is None:
            return None
        process = await asyncio.create_subprocess_exec(
            node, "-e", _NODE_PARSER, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE
        )
        return cls(process)

    async def parse_ms(self, body: bytes) -> float:
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.write(len(body).to_bytes(4, "big") + body)
        await self._process.stdin.drain()
        return float(await self._process.stdout.readline())

    async def stop(self) -> None:
        if self._process.stdin is not None:
            self._process.stdin.close()
        await self._process.wait()


def loads_ms(body: bytes) -> float:
    """CPU ms of a plain ``json.loads`` of a message's bytes (no objects built from it)."""
    started = time.process_time()
    json.loads(body)
    return 1000 * (time.process_time() - started)


class Session:
    """One server under one client."""

    def __init__(
        self, name: str, command: Sequence[str], pull: bool, env: dict[str, str] | None = None
    ) -> None:
        self.name = name
        self.env = {**os.environ, **(env or {})}
        self.command = command
        self.pull = pull
        self.client = LanguageClient("bench", "1")
        self.arrived: dict[tuple[str, int | None], float] = {}
        self.counts: dict[tuple[str, int | None], int] = {}  # in the first publication
        self.latest: dict[tuple[str, int | None], int] = {}  # in the last one
        # When each publication's JSON was read, before the client structured it.
        self.received: dict[tuple[str, int | None], float] = {}
        # The first publication of each version: its bytes, and when the last of them came.
        self.bodies: dict[tuple[str, int | None], tuple[bytes, float]] = {}
        self._last_body: tuple[bytes, float] = (b"", 0.0)
        structure = self.client.protocol.structure_message

        def received(data: dict[str, object]) -> object:
            if data.get("method") == types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS:
                params = data.get("params")
                if isinstance(params, dict):
                    key = (params.get("uri"), params.get("version"))
                    self.received.setdefault(key, time.perf_counter())  # type: ignore[arg-type]
                    # The client reads one message at a time: the last body read is this one.
                    self.bodies.setdefault(key, self._last_body)  # type: ignore[arg-type]
            return structure(data)

        self.client.protocol.structure_message = received  # type: ignore[method-assign]
        self.version: dict[str, int] = {}

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params: types.PublishDiagnosticsParams) -> None:
            self.arrived.setdefault((params.uri, params.version), time.perf_counter())
            self.counts.setdefault((params.uri, params.version), len(params.diagnostics))
            self.latest[(params.uri, params.version)] = len(params.diagnostics)

        @self.client.feature(types.WINDOW_LOG_MESSAGE)
        def log(params: types.LogMessageParams) -> None:
            pass

        @self.client.feature(types.WORKSPACE_CONFIGURATION)
        def configuration(params: types.ConfigurationParams) -> list[object]:
            return [None for _ in params.items]

    async def start(self) -> float:
        client = self.client
        # Keep the initialize result as raw JSON: some servers' capabilities (ruff's notebook
        # filters) do not fit lsprotocol's converter.
        result_type = client.protocol.get_result_type
        client.protocol.get_result_type = (  # type: ignore[method-assign]
            lambda method: None if method == types.INITIALIZE else result_type(method)
        )
        started = time.perf_counter()
        # Each message's bytes, and when the last of them was read, before pygls decodes it.
        run_async = pygls_client.run_async

        def timed_run(*, reader: Any, **rest: Any) -> Any:
            return run_async(reader=_TimedReader(reader, self._body_read), **rest)

        pygls_client.run_async = timed_run  # type: ignore[assignment]
        try:
            await client.start_io(self.command[0], *self.command[1:], env=self.env)
        finally:
            pygls_client.run_async = run_async
        text = types.TextDocumentClientCapabilities(
            publish_diagnostics=types.PublishDiagnosticsClientCapabilities(version_support=True),
            diagnostic=(
                types.DiagnosticClientCapabilities(dynamic_registration=False)
                if self.pull
                else None
            ),
        )
        caps = types.ClientCapabilities(text_document=text)
        await client.initialize_async(
            types.InitializeParams(capabilities=caps, process_id=os.getpid())
        )
        client.initialized(types.InitializedParams())
        return 1000 * (time.perf_counter() - started)

    def _body_read(self, body: bytes) -> None:
        self._last_body = (body, time.perf_counter())

    @property
    def pid(self) -> int | None:
        server = getattr(self.client, "_server", None)
        return getattr(server, "pid", None)

    async def wait_push(self, uri: str, version: int, timeout: float = 60) -> float:
        deadline = time.perf_counter() + timeout
        while (uri, version) not in self.arrived:
            if time.perf_counter() > deadline:
                raise TimeoutError(f"{self.name}: no diagnostics for {uri} version {version}")
            await asyncio.sleep(0.0002)
        return self.arrived[(uri, version)]

    def open(self, uri: str, text: str) -> None:
        self.version[uri] = 1
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)
            )
        )

    def change(self, uri: str, change: types.TextDocumentContentChangePartial) -> int:
        self.version[uri] += 1
        version = self.version[uri]
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(uri=uri, version=version), [change]
            )
        )
        return version

    async def pull_now(self, uri: str) -> None:
        await asyncio.wait_for(
            self.client.text_document_diagnostic_async(
                types.DocumentDiagnosticParams(types.TextDocumentIdentifier(uri))
            ),
            60,
        )

    async def stop(self) -> None:
        try:
            await asyncio.wait_for(self.client.shutdown_async(None), 10)
            self.client.exit(None)
        finally:
            await self.client.stop()


def edits_for(text: str, count: int) -> list[types.TextDocumentContentChangePartial]:
    line = edit_line(text)
    end = len(text.splitlines()[line])
    at = types.Position(line, end)
    out: list[types.TextDocumentContentChangePartial] = []
    for i in range(count):
        if i % 2 == 0:
            out.append(types.TextDocumentContentChangePartial(types.Range(at, at), " "))
        else:
            after = types.Position(line, end + 1)
            out.append(types.TextDocumentContentChangePartial(types.Range(at, after), ""))
    return out


async def run_server(
    name: str, command: Sequence[str], paths: list[Path], others: list[Path], edits: int
) -> ServerResult:
    result = ServerResult(name)
    push = Session(name, command, pull=False)
    result.initialized_ms = await push.start()
    for path in paths:
        text = path.read_text(encoding="utf-8")
        uri = path.as_uri()
        sent = time.perf_counter()
        push.open(uri, text)
        opened = await push.wait_push(uri, 1) - sent
        file = FileResult(path.name, len(text.splitlines()), 1000 * opened)
        for change in edits_for(text, edits):
            sent = time.perf_counter()
            version = push.change(uri, change)
            file.push.append(1000 * (await push.wait_push(uri, version) - sent))
        result.files.append(file)
    # Memory: the big file (already open) and 50 more.
    for path in others:
        push.open(path.as_uri(), path.read_text(encoding="utf-8"))
    for path in others:
        await push.wait_push(path.as_uri(), 1)
    if push.pid is not None:
        result.rss_mib = rss_mib(push.pid)
    await push.stop()

    pull = Session(name, command, pull=True)
    await pull.start()
    for path, file in zip(paths, result.files, strict=True):
        text = path.read_text(encoding="utf-8")
        uri = path.as_uri()
        pull.open(uri, text)
        await pull.pull_now(uri)
        for change in edits_for(text, edits):
            sent = time.perf_counter()
            pull.change(uri, change)
            await pull.pull_now(uri)
            file.pull.append(1000 * (time.perf_counter() - sent))
    await pull.stop()
    return result


def report(results: list[ServerResult], edits: int) -> list[str]:
    out: list[str] = []
    for r in results:
        rss = f"{r.rss_mib:.0f} MiB" if r.rss_mib is not None else "n/a"
        out.append(
            f"{r.name}: start to initialized {r.initialized_ms:.0f} ms; "
            f"RSS with {len(r.files) + OTHER_FILES} files open {rss}"
        )
    out.append("")
    header = f"{'file':<22}{'lines':>7}  {'mode':<5}"
    for r in results:
        header += f"{r.name + ' median':>15}{r.name + ' p95':>12}"
    if len(results) == 2:
        header += f"{'ratio':>8}"
    out.append(header + f"   ({edits} edits each, ms)")
    for i, file in enumerate(results[0].files):
        for mode in ("push", "pull"):
            row = f"{file.name:<22}{file.lines:>7}  {mode:<5}"
            medians: list[float] = []
            for r in results:
                values = getattr(r.files[i], mode)
                medians.append(statistics.median(values))
                row += f"{statistics.median(values):>15.1f}{p95(values):>12.1f}"
            if len(results) == 2 and medians[1] > 0:
                row += f"{medians[0] / medians[1]:>7.2f}x"
            out.append(row)
    return out


def targets(results: list[ServerResult]) -> list[str]:
    """The language server issue's targets, each met or not in this run."""
    unleak = results[0]
    out = ["targets:"]

    def check(what: str, ok: bool) -> None:
        out.append(f"  {'met    ' if ok else 'NOT MET'}  {what}")

    check(f"initialize under 500 ms ({unleak.initialized_ms:.0f} ms)", unleak.initialized_ms < 500)
    if unleak.rss_mib is not None:
        check(
            f"RSS under 150 MiB with {len(unleak.files) + OTHER_FILES} files open "
            f"({unleak.rss_mib:.0f} MiB)",
            unleak.rss_mib < 150,
        )
    big = unleak.files[-1]
    check(f"p95 under 30 ms on {big.name} ({p95(big.push):.1f} ms)", p95(big.push) < 30)
    if len(results) == 2:
        for mine, theirs in zip(unleak.files[1:], results[1].files[1:], strict=True):
            a, b = statistics.median(mine.push), statistics.median(theirs.push)
            check(f"median at or below ruff's on {mine.name} ({a:.1f} vs {b:.1f} ms)", a <= b)
    return out


def name_positions(text: str, count: int, seed: str) -> list[tuple[int, int]]:
    """Seeded random places where a name ends (0-based line, column), anywhere in the file:
    function bodies, signatures, decorators, class bodies, module-level statements, imports,
    and the names of functions and classes."""
    found: set[tuple[int, int]] = set()
    lines = text.splitlines()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.Name, ast.arg, ast.alias)) and node.end_col_offset is not None:
            if lines[node.lineno - 1].isascii():
                found.add((node.lineno - 1, node.end_col_offset))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            line = lines[node.lineno - 1]
            at = line.find(f" {node.name}")
            if at >= 0 and line.isascii():
                found.add((node.lineno - 1, at + 1 + len(node.name)))
    return random.Random(seed).sample(sorted(found), min(count, len(found)))


def typing_anywhere(
    text: str, count: int, seed: str
) -> list[types.TextDocumentContentChangePartial]:
    """At each position, a character typed, then deleted."""
    out: list[types.TextDocumentContentChangePartial] = []
    for line, column in name_positions(text, count, seed):
        at = types.Position(line, column)
        after = types.Position(line, column + 1)
        out.append(types.TextDocumentContentChangePartial(types.Range(at, at), "x"))
        out.append(types.TextDocumentContentChangePartial(types.Range(at, after), ""))
    return out


GENERATED_NAME = "generated_100k.py"


def generated_module(lines: int) -> str:
    """A module of ``lines`` lines made of four-line functions that each leak a file: one
    finding per function."""
    return "".join(
        f"def read_{i}(path):\n    f = open(path)\n    return f.read()\n\n"
        for i in range(lines // 4)
    )


async def editor_times(
    session: Session, key: tuple[str, int], sent: float, parser: NodeParser | None
) -> tuple[float, float, float | None, int]:
    """For the publication ``key`` (of a message sent at ``sent``): ms to its last byte, that
    plus a plain ``json.loads`` of it, that plus node's JSON.parse of it (None without
    node), and its size in bytes. Decoded after it was timed, the next edit not yet sent."""
    body, at = session.bodies.pop(key, (b"", sent))
    got = 1000 * (at - sent)
    if not body:
        return got, got, None, 0
    plain = got + loads_ms(body)
    parsed = None if parser is None else got + await parser.parse_ms(body)
    return got, plain, parsed, len(body)


async def type_anywhere(
    session: Session,
    path: Path,
    positions: int,
    timeout: float = 60,
    hover: bool = False,
    parser: NodeParser | None = None,
) -> FileResult:
    """Open a file (and hover once, once its diagnostics are in, if so asked; the generated
    module: wait for all its diagnostics), then type at random name positions in it, timing
    each edit."""
    text = path.read_text(encoding="utf-8")
    uri = path.as_uri()
    # The edits first: parsing the 100,000-line module here took 10 s under load, while the
    # server's publications of a large document's opening queued up unread, then were read
    # (and timed) with the first edit.
    changes = typing_anywhere(text, positions, f"anywhere-{path.name}")
    sent = time.perf_counter()
    session.open(uri, text)
    opened = await session.wait_push(uri, 1, timeout) - sent
    file = FileResult(path.name, len(text.splitlines()), 1000 * opened)
    file.open_received_ms = 1000 * (session.received.get((uri, 1), sent) - sent)
    file.open_count = session.counts.get((uri, 1))
    file.open_bytes_ms, file.open_loads_ms, file.open_parsed_ms, _ = await editor_times(
        session, (uri, 1), sent, parser
    )
    if hover:
        file.hover_ms = await first_hover(session, path)
    if path.name == GENERATED_NAME:
        # Edits while it opens are published at once, with the findings known so far: the
        # edits are timed once every finding (one per function) is published.
        expected = len(text.splitlines()) // 4
        while session.latest.get((uri, 1)) != expected:
            if time.perf_counter() - sent > timeout:
                raise TimeoutError(f"{session.name}: not all {expected} diagnostics of {uri}")
            await asyncio.sleep(0.01)
        file.complete_ms = 1000 * (time.perf_counter() - sent)
    lines = text.splitlines()
    for change in changes:
        sent = time.perf_counter()
        version = session.change(uri, change)
        file.push.append(1000 * (await session.wait_push(uri, version, timeout) - sent))
        file.received.append(1000 * (session.received.get((uri, version), sent) - sent))
        got, plain, parsed, size = await editor_times(session, (uri, version), sent, parser)
        file.bytes_in.append(got)
        file.loads.append(plain)
        if parsed is not None:
            file.parsed.append(parsed)
        file.message_bytes.append(size)
        at = change.range.start
        typed = "typed" if change.text else "deleted"
        file.where.append(f"{typed} at {at.line + 1}:{at.character}: {lines[at.line].strip()}")
    return file


async def first_hover(session: Session, path: Path) -> float:
    """The time of a first hover over the file `f` of the generated module's middle
    function."""
    text = path.read_text(encoding="utf-8")
    line = 4 * (len(text.splitlines()) // 8) + 1  # `    f = open(path)`
    sent = time.perf_counter()
    await asyncio.wait_for(
        session.client.text_document_hover_async(
            types.HoverParams(types.TextDocumentIdentifier(path.as_uri()), types.Position(line, 4))
        ),
        600,
    )
    return 1000 * (time.perf_counter() - sent)


async def run_anywhere(
    name: str,
    command: Sequence[str],
    paths: list[Path],
    positions: int,
    others: list[Path],
    generated: Path | None,
) -> ServerResult:
    """Push latency of edits at random name positions anywhere in each file; then the
    server's RSS with the last file and ``others`` open; then the generated module: its first
    diagnostics, its first hover, and edits anywhere in it."""
    result = ServerResult(name)
    # The hover timed is unleak's explanation: jedi's type line (bounded at 1 s, which a
    # first inference of a large module takes) is off.
    session = Session(name, command, pull=False, env={"UNLEAK_JEDI_TIMEOUT": "0"})
    result.initialized_ms = await session.start()
    parser = await NodeParser.start()
    for path in paths:
        result.files.append(await type_anywhere(session, path, positions, parser=parser))
    if others:
        for path in others:
            session.open(path.as_uri(), path.read_text(encoding="utf-8"))
        for path in others:
            await session.wait_push(path.as_uri(), 1)
        if session.pid is not None:
            result.rss_mib = rss_mib(session.pid)
    if generated is not None:
        hover = name == "unleak"  # ruff's hover is for noqa codes only
        result.files.append(
            await type_anywhere(session, generated, positions, 900, hover, parser)
        )
    await session.stop()
    if parser is not None:
        await parser.stop()
    return result


def editor(file: FileResult) -> tuple[list[float], float | None, str]:
    """What an editor waits for, per edit and for the first diagnostics: to the message's
    last byte plus V8's JSON.parse of it (plus ``json.loads`` without node), and which."""
    if file.parsed:
        return file.parsed, file.open_parsed_ms, "last byte + JSON.parse (node)"
    return file.loads, file.open_loads_ms, "last byte + json.loads"


SLOWEST = 5  # --anywhere: the slowest edits of each file are listed, to see what they were


def report_anywhere(results: list[ServerResult], positions: int) -> list[str]:
    how = editor(results[0].files[0])[2]
    out = [
        f"Typing at {positions} random name positions per file (a character typed, then "
        "deleted: two edits each), ms from didChange to the publishDiagnostics of that "
        f"version: what an editor waits for ({how}), then up to the bench's pygls client's "
        "objects (cattrs: the client's own cost, not the server's):",
        "",
    ]
    header = f"{'file':<22}{'lines':>7}"
    for r in results:
        header += f"{r.name + ' p50':>13}{'p95':>8}{'max':>8}"
    for values_of, title in ((lambda f: editor(f)[0], "editor"), (lambda f: f.push, "pygls")):
        out.append(f"{header}   ({title})")
        for i, file in enumerate(results[0].files):
            row = f"{file.name:<22}{file.lines:>7}"
            for r in results:
                values = values_of(r.files[i]) or [0.0]
                row += (
                    f"{statistics.median(values):>13.1f}{p95(values):>8.1f}{max(values):>8.1f}"
                )
            out.append(row)
    for r in results:
        for file in r.files:
            if file.name == GENERATED_NAME and file.received:
                out.append(f"{r.name} on {file.name}, p50 / p95 / max (first diagnostics), ms:")
                rows = [
                    ("to the message's last byte", file.bytes_in, file.open_bytes_ms),
                    ("  + json.loads (this process)", file.loads, file.open_loads_ms),
                    ("  + JSON.parse (node)", file.parsed, file.open_parsed_ms),
                    ("  + pygls' json.loads", file.received, file.open_received_ms),
                    ("  + pygls' objects (cattrs)", file.push, file.open_ms),
                ]
                for what, got, first in rows:
                    if got and first is not None:
                        out.append(
                            f"  {what:<32}{statistics.median(got):>9.1f} / {p95(got):.1f} / "
                            f"{max(got):.1f} ({first:,.0f})"
                        )
                if file.message_bytes:
                    size = statistics.median(file.message_bytes)
                    out.append(f"  message size (median) {size:,.0f} bytes")
    out += ["", f"{results[0].name}'s {SLOWEST} slowest edits per file (ms, where):"]
    for file in results[0].files:
        slow = sorted(zip(file.push, file.where, strict=True), reverse=True)[:SLOWEST]
        out.append(f"  {file.name}")
        out += [f"    {ms:7.1f}  {where[:90]}" for ms, where in slow]
    out.append("")
    for r in results:
        opened = ", ".join(
            f"{f.name} {f.open_ms:,.0f} ms ({f.open_count or 0:,} diagnostics)" for f in r.files
        )
        out.append(f"{r.name}: first diagnostics: {opened}")
        for f in r.files:
            if f.complete_ms is not None:
                out.append(f"{r.name}: every diagnostic of {f.name}: {f.complete_ms:,.0f} ms")
        if r.rss_mib is not None:
            out.append(
                f"{r.name}: RSS with {BIG_NAME} and {OTHER_FILES} other files "
                f"open: {r.rss_mib:.0f} MiB"
            )
    mine_all = results[0].files
    out += ["", "targets:"]

    def check(what: str, ok: bool) -> None:
        out.append(f"  {'met    ' if ok else 'NOT MET'}  {what}")

    if len(results) == 2:
        for mine, theirs in zip(mine_all, results[1].files, strict=True):
            if mine.name == GENERATED_NAME:
                continue
            a, b = p95(editor(mine)[0]), statistics.median(editor(theirs)[0])
            check(f"unleak p95 <= ruff median on {mine.name} ({a:.1f} vs {b:.1f} ms)", a <= b)
    for file in mine_all:
        if file.name == GENERATED_NAME:
            edits, first, how = editor(file)
            first = file.open_ms if first is None else first
            check(f"first diagnostics under 3 s ({first:,.0f} ms, {how})", first < 3000)
            check(
                f"p95 per edit under 100 ms ({p95(edits):.1f} ms, {how}; "
                f"{p95(file.push):.1f} to pygls' objects)",
                p95(edits) < 100,
            )
            if file.hover_ms is not None:
                hover = file.hover_ms
                check(f"first hover under 200 ms, jedi off ({hover:.0f} ms)", hover < 200)
    if results[0].rss_mib is not None:
        rss = results[0].rss_mib
        check(f"RSS under 150 MiB with {OTHER_FILES} other files open ({rss:.0f} MiB)", rss < 150)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--no-ruff", action="store_true", help="time unleak server alone")
    parser.add_argument(
        "--anywhere",
        type=int,
        metavar="N",
        help="type at N seeded random name positions anywhere in each file instead",
    )
    parser.add_argument(
        "--generated-lines",
        type=int,
        default=100_000,
        metavar="N",
        help="--anywhere: also a generated module of N lines with a finding every 4 (0: none)",
    )
    ns = parser.parse_args(argv)
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    # Bytecode as an installed package has it (an editable install under
    # PYTHONDONTWRITEBYTECODE=1 has none, and compiling at every start is not what users see).
    import unleak

    compileall.compile_dir(Path(unleak.__file__).parent, quiet=1)
    work = Path(tempfile.mkdtemp(prefix="unleak-bench-lsp-"))
    try:
        paths = []
        for name in FILES:
            shutil.copy(stdlib / name, work / name)
            paths.append(work / name)
        (work / BIG_NAME).write_text(concatenation(stdlib, TARGET_BIG_LINES), encoding="utf-8")
        paths.append(work / BIG_NAME)
        others_dir = work / "others"
        others_dir.mkdir()
        others = []
        for path in other_files(stdlib, set(FILES) | set(CONCATENATED), OTHER_FILES):
            shutil.copy(path, others_dir / path.name)
            others.append(others_dir / path.name)
        servers: list[tuple[str, list[str]]] = [("unleak", [sys.executable, "-m", "unleak.lsp"])]
        ruff = Path(sys.executable).with_name("ruff")
        if not ns.no_ruff and (ruff.exists() or shutil.which("ruff")):
            servers.append(("ruff", [str(ruff) if ruff.exists() else "ruff", "server"]))
        if ns.anywhere:
            generated = None
            if ns.generated_lines:
                generated = work / GENERATED_NAME
                generated.write_text(generated_module(ns.generated_lines), encoding="utf-8")
            results = [
                asyncio.run(
                    run_anywhere(name, command, paths[1:], ns.anywhere, others, generated)
                )
                for name, command in servers
            ]
        else:
            results = [
                asyncio.run(run_server(name, command, paths, others, ns.edits))
                for name, command in servers
            ]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if ns.anywhere:
        lines = report_anywhere(results, ns.anywhere)
    else:
        lines = [*report(results, ns.edits), "", *targets(results)]
    lines.append(f"load average: {os.getloadavg()[0]:.2f}, {os.getloadavg()[1]:.2f}")
    print("\n".join(lines))
    out_dir = Path(__file__).parent / "results"
    out_dir.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    (out_dir / f"lsp-{stamp}.json").write_text(
        json.dumps([r.__dict__ | {"files": [f.__dict__ for f in r.files]} for r in results])
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
