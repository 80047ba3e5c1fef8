"""Diagnostics as you type: open/change/close, positions in the negotiated encoding, syntax
errors, bursts of edits, pull diagnostics, robustness."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
from lsprotocol import types

from .conftest import TIMEOUT, Starter

pytestmark = pytest.mark.asyncio

LEAKY = """\
def first_line(path):
    f = open(path)
    line = f.readline()
    if not line:
        return None
    f.close()
    return line.strip()
"""

CLEAN = """\
def first_line(path):
    with open(path) as f:
        return f.readline()
"""

URI = "file:///tmp/unleak-lsp-test/app.py"


def pos(line: int, character: int) -> types.Position:
    return types.Position(line, character)


def rng(line: int, start: int, end_line: int, end: int) -> types.Range:
    return types.Range(pos(line, start), pos(end_line, end))


async def test_open_change_close(start: Starter) -> None:
    s = await start()
    s.open(URI, LEAKY)
    (d,) = await s.diagnostics(URI, 1)
    assert d.code == "UL101"
    assert d.source == "unleak"
    assert d.severity == types.DiagnosticSeverity.Warning
    assert d.range == rng(1, 8, 1, 18)
    assert d.code_description is not None
    assert d.code_description.href.endswith("#ul101-not-released")
    assert d.related_information
    acquired, escapes = d.related_information
    assert acquired.location.uri == URI and acquired.location.range == rng(1, 8, 1, 18)
    assert acquired.message == "the file is opened here"
    assert escapes.location.range.start.line == 4  # the early `return None`

    # An incremental edit that moves the finding down two lines.
    v = s.change(URI, types.TextEdit(rng(0, 0, 0, 0), "import os\n\n"))
    (d,) = await s.diagnostics(URI, v)
    assert d.range == rng(3, 8, 3, 18)

    v = s.replace_all(URI, CLEAN)
    assert await s.diagnostics(URI, v) == []

    v = s.replace_all(URI, LEAKY)
    assert len(await s.diagnostics(URI, v)) == 1
    s.close(URI)
    assert await s.diagnostics(URI, None) == []


NON_ASCII = """\
def first_line(path):
    label = "x"; f = open(path)
    return f.readline()
"""


@pytest.mark.parametrize(
    ("encoding", "width"),
    [
        (types.PositionEncodingKind.Utf16, {"é": 1, "😀": 2}),
        (types.PositionEncodingKind.Utf8, {"é": 2, "😀": 4}),
        (types.PositionEncodingKind.Utf32, {"é": 1, "😀": 1}),
    ],
)
async def test_non_ascii_before_a_finding(
    start: Starter, encoding: str, width: dict[str, int]
) -> None:
    s = await start(encodings=[encoding])
    assert s.encoding == encoding
    s.open(URI, NON_ASCII)
    (d,) = await s.diagnostics(URI, 1)
    assert d.range == rng(1, 21, 1, 31)
    # Type "é😀" inside the string, one character at a time, as an editor sends it.
    v = s.change(URI, types.TextEdit(rng(1, 13, 1, 13), "é"))
    v = s.change(URI, types.TextEdit(rng(1, 13 + width["é"], 1, 13 + width["é"]), "😀"))
    (d,) = await s.diagnostics(URI, v)
    shift = width["é"] + width["😀"]
    assert d.range == rng(1, 21 + shift, 1, 31 + shift)
    assert s.texts[URI].splitlines()[1] == '    label = "é😀x"; f = open(path)'
    # An edit after the non-ASCII text on the same line: its position counts them too.
    end = 31 + shift - 1
    v = s.change(URI, types.TextEdit(rng(1, end, 1, end), ', "rb"'))
    assert s.texts[URI].splitlines()[1] == '    label = "é😀x"; f = open(path, "rb")'
    (d,) = await s.diagnostics(URI, v)
    assert d.range == rng(1, 21 + shift, 1, 37 + shift)
    # Non-ASCII text on a line before the finding changes nothing.
    s.replace_all(URI, "# ünïcödé 😀😀\n" + NON_ASCII)
    (d,) = await s.diagnostics(URI, s.versions[URI])
    assert d.range == rng(2, 21, 2, 31)


TWO_FUNCTIONS = """\
def broken(path):
    return path


def leaky(path):
    f = open(path)
    return f.read()
"""


async def test_syntax_error_in_one_function_keeps_the_others(start: Starter) -> None:
    s = await start()
    s.open(URI, TWO_FUNCTIONS)
    (d,) = await s.diagnostics(URI, 1)
    assert d.code == "UL101" and d.range.start.line == 5
    v = s.change(URI, types.TextEdit(rng(1, 15, 1, 15), " +* ("))
    # The syntax error where the user is typing is shown after a pause (typing_region.py).
    (d,) = await s.diagnostics(URI, v)
    assert d.code == "UL101"
    found = await s.diagnostics(URI, v, after=len(s.published))
    codes = sorted((str(d.code), d.range.start.line) for d in found)
    assert codes == [("UL001", 1), ("UL101", 5)]
    v = s.change(URI, types.TextEdit(rng(1, 15, 1, 20), ""))
    (d,) = await s.diagnostics(URI, v)
    assert d.code == "UL101"


def _big_module(functions: int) -> str:
    parts = []
    for i in range(functions):
        parts.append(
            f"def f{i}(path):\n"
            f"    data = []\n"
            f"    for line in range({i}):\n"
            f"        data.append(line * 2)\n"
            f"    return data\n\n\n"
        )
    return "".join(parts) + LEAKY


async def test_burst_of_edits_publishes_only_current_versions(start: Starter) -> None:
    # Each analysis takes 50 ms more: the burst arrives while the first one runs.
    s = await start(env={"UNLEAK_LSP_DELAY": "0.05"})
    text = _big_module(150)
    leak_line = text.splitlines().index("    f = open(path)")
    s.open(URI, text)
    await s.diagnostics(URI, 1)
    first = len(s.published)
    # Each edit adds a line at the top, so version v's finding is on leak_line + v - 1.
    for _ in range(40):
        s.change(URI, types.TextEdit(rng(0, 0, 0, 0), "#\n"))
    last = s.versions[URI]
    (d,) = await s.diagnostics(URI, last)
    burst = s.published[first:]
    versions = [p.version for p in burst]
    assert versions == sorted(versions) and versions[-1] == last
    assert len(burst) <= 3, versions  # the versions in between were never analysed
    for p in burst:
        assert p.version is not None
        (found,) = p.diagnostics
        assert found.range.start.line == leak_line + p.version - 1, "stale positions"
    assert d.range.start.line == leak_line + last - 1


async def test_pull_diagnostics(start: Starter) -> None:
    s = await start(pull=True)
    s.open(URI, LEAKY)

    async def pull(previous: str | None = None) -> types.DocumentDiagnosticReport:
        return await asyncio.wait_for(
            s.client.text_document_diagnostic_async(
                types.DocumentDiagnosticParams(
                    text_document=types.TextDocumentIdentifier(URI),
                    previous_result_id=previous,
                )
            ),
            TIMEOUT,
        )

    report = await pull()
    assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
    assert [d.code for d in report.items] == ["UL101"]
    assert report.result_id
    again = await pull(report.result_id)
    assert isinstance(again, types.RelatedUnchangedDocumentDiagnosticReport)
    assert again.result_id == report.result_id
    # An edit that changes no diagnostic: still unchanged.
    s.change(URI, types.TextEdit(rng(6, 23, 6, 23), "  # done"))
    again = await pull(report.result_id)
    assert isinstance(again, types.RelatedUnchangedDocumentDiagnosticReport)
    s.replace_all(URI, CLEAN)
    fixed = await pull(report.result_id)
    assert isinstance(fixed, types.RelatedFullDocumentDiagnosticReport)
    assert list(fixed.items) == [] and fixed.result_id != report.result_id
    assert s.published == []  # a client that pulls is not pushed to


async def test_internal_error_is_recovered(start: Starter) -> None:
    s = await start(env={"UNLEAK_LSP_FAULT": "explodes"})
    bad = "file:///tmp/unleak-lsp-test/explodes.py"
    s.open(bad, LEAKY)
    assert await s.diagnostics(bad, 1) == []
    message = await s.log_containing("internal error analysing")
    assert message.type == types.MessageType.Error
    assert "Traceback" in message.message and "UNLEAK_LSP_FAULT" in message.message
    # The server still answers for this document and the others.
    s.open(URI, LEAKY)
    assert len(await s.diagnostics(URI, 1)) == 1
    assert await s.hover(bad, 1, 10) is None
    hover = await s.hover(URI, 1, 10)
    assert hover is not None
    v = s.change(bad, types.TextEdit(rng(0, 0, 0, 0), "\n"))
    assert await s.diagnostics(bad, v) == []


async def test_large_and_binary_documents_are_skipped(start: Starter) -> None:
    s = await start(init_options={"maxFileSize": 1000})
    big = "file:///tmp/unleak-lsp-test/big.py"
    s.open(big, LEAKY + "#" * 2000 + "\n")
    assert await s.diagnostics(big, 1) == []
    await s.log_containing("larger than maxFileSize")
    v = s.change(big, types.TextEdit(rng(0, 0, 0, 0), "\n"))
    assert await s.diagnostics(big, v) == []
    assert sum("maxFileSize" in m.message for m in s.client.log_messages) == 1
    nul = "file:///tmp/unleak-lsp-test/nul.py"
    s.open(nul, LEAKY + "x = '\x00'\n")
    assert await s.diagnostics(nul, 1) == []
    await s.log_containing("NUL")
    s.open(URI, LEAKY)
    assert len(await s.diagnostics(URI, 1)) == 1


async def test_unleak_server_subcommand(start: Starter, tmp_path: Path) -> None:
    s = await start(command=("-m", "unleak", "server"))
    uri = (tmp_path / "untitled.py").as_uri()
    s.open(uri, LEAKY)
    assert len(await s.diagnostics(uri, 1)) == 1
    untitled = "untitled:Untitled-1"
    s.open(untitled, LEAKY)
    assert len(await s.diagnostics(untitled, 1)) == 1
    assert sys.executable
