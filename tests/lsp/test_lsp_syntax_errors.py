"""Syntax errors while typing: the showSyntaxErrors setting, and a syntax error in the lines
being typed published only after a pause while everything else is published at once."""

from __future__ import annotations

import asyncio
import time

import pytest
from lsprotocol import types
from unleak.lsp.typing_region import (
    SYNTAX_ERROR_IDLE,
    TypingRegion,
    after_edit,
    changed_lines,
    held_back,
)

from .conftest import Starter
from .test_lsp_diagnostics import LEAKY, URI, rng

BROKEN_ELSEWHERE = LEAKY + "\n\ndef broken(:\n    pass\n"


def codes(diagnostics: list[types.Diagnostic]) -> list[str]:
    return sorted(str(d.code) for d in diagnostics)


def end_of(text: str) -> types.Range:
    line = text.count("\n")
    column = len(text.rsplit("\n", 1)[-1])
    return rng(line, column, line, column)


@pytest.mark.asyncio
@pytest.mark.parametrize("how", ["initializationOptions", "configuration"])
async def test_show_syntax_errors_false_hides_ul001_only(start: Starter, how: str) -> None:
    if how == "initializationOptions":
        s = await start(init_options={"showSyntaxErrors": False})
    else:
        s = await start(configuration={"": {"unleak": {"showSyntaxErrors": False}}})
    s.open(URI, BROKEN_ELSEWHERE)
    # The leak is still found: analysis goes on, only UL001 is not published.
    assert codes(await s.diagnostics(URI, 1)) == ["UL101"]
    assert not [m for m in s.client.log_messages if "showSyntaxErrors" in m.message]


@pytest.mark.asyncio
async def test_show_syntax_errors_default_and_invalid_value(start: Starter) -> None:
    s = await start(init_options={"showSyntaxErrors": "no"})
    s.open(URI, BROKEN_ELSEWHERE)
    assert codes(await s.diagnostics(URI, 1)) == ["UL001", "UL101"]
    await s.log_containing("showSyntaxErrors: expected a boolean")


@pytest.mark.asyncio
async def test_syntax_error_being_typed_waits_for_a_pause(start: Starter) -> None:
    s = await start()
    s.open(URI, BROKEN_ELSEWHERE)
    assert codes(await s.diagnostics(URI, 1)) == ["UL001", "UL101"]
    # Type an unfinished line at the end of the first function (inside its body).
    text = s.texts[URI]
    end_of_first = rng(6, 22, 6, 22)
    assert text.splitlines()[6] == "    return line.strip()"
    before = len(s.published)
    typed_at = time.monotonic()
    v = s.change(URI, types.TextEdit(end_of_first, "\n    f = "))
    first = await s.diagnostics(URI, v, after=before)
    # At once: the other function's syntax error stays; the one being typed is held back.
    assert [d.range.start.line for d in first if d.code == "UL001"] == [10]
    # After the pause, the same version is published again with the typed syntax error.
    count = len(s.published)
    later = await s.diagnostics(URI, v, after=count)
    waited = time.monotonic() - typed_at
    assert sorted(d.range.start.line for d in later if d.code == "UL001") == [7, 10]
    assert waited >= SYNTAX_ERROR_IDLE * 0.9


@pytest.mark.asyncio
async def test_finishing_the_line_before_the_pause_never_shows_it(start: Starter) -> None:
    s = await start()
    s.open(URI, LEAKY)
    assert codes(await s.diagnostics(URI, 1)) == ["UL101"]
    versions = []
    for piece in ["\n", "def ", "g(", "):", "\n    return 1\n"]:
        versions.append(s.change(URI, types.TextEdit(end_of(s.texts[URI]), piece)))
        await asyncio.sleep(0.05)
    final = await s.diagnostics(URI, versions[-1])
    assert codes(final) == ["UL101"]
    await asyncio.sleep(SYNTAX_ERROR_IDLE + 0.3)
    shown = [p for p in s.published if p.uri == URI]
    assert all("UL001" not in codes(p.diagnostics) for p in shown), [
        (p.version, codes(p.diagnostics)) for p in shown
    ]


@pytest.mark.asyncio
async def test_pull_diagnostics_hold_back_too(start: Starter) -> None:
    s = await start(pull=True)
    s.open(URI, LEAKY)
    v = s.change(URI, types.TextEdit(end_of(LEAKY), "def "))
    assert v == 2
    report = await asyncio.wait_for(
        s.client.text_document_diagnostic_async(
            types.DocumentDiagnosticParams(types.TextDocumentIdentifier(URI))
        ),
        10,
    )
    assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
    # (Whether the leak above stays while the end does not parse is the engine's business.)
    assert "UL001" not in codes(report.items)
    await asyncio.sleep(SYNTAX_ERROR_IDLE + 0.2)
    again = await s.client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(
            types.TextDocumentIdentifier(URI), previous_result_id=report.result_id
        )
    )
    assert isinstance(again, types.RelatedFullDocumentDiagnosticReport)
    assert "UL001" in codes(again.items)


# The typing region on its own.


def test_region_grows_with_the_burst_and_moves_with_lines_above() -> None:
    region = after_edit(None, 5, 5, "x", now=0.0)
    assert (region.first, region.last) == (5, 5)
    region = after_edit(region, 5, 5, "\n    y", now=0.2)
    assert (region.first, region.last) == (5, 6)
    # Two lines inserted above move it down.
    region = after_edit(region, 1, 1, "a\nb\n", now=0.3)
    assert (region.first, region.last) == (1, 8)
    # A pause ends the burst: a new one starts where the next edit is.
    region = after_edit(region, 20, 20, "z", now=0.3 + SYNTAX_ERROR_IDLE)
    assert (region.first, region.last) == (20, 20)


def test_region_after_lines_deleted_below_it() -> None:
    region = TypingRegion(10, 12, at=0.0)
    moved = after_edit(region, 2, 4, "", now=0.1)  # lines 2-4 joined: two lines gone
    assert (moved.first, moved.last) == (2, 10)


def test_changed_lines_of_a_whole_text() -> None:
    old = ["a\n", "b\n", "c\n", "d"]
    # As replacements of whole lines: (first line, old line it ends before, line breaks).
    assert changed_lines(old, ["a\n", "B\n", "c\n", "d"]) == (1, 2, 1)
    assert changed_lines(old, ["a\n", "b\n", "x\n", "y\n", "c\n", "d"]) == (2, 2, 2)
    assert changed_lines(old, ["a\n", "d"]) == (1, 3, 0)
    assert changed_lines(old, old) == (4, 4, 0)


def test_held_back_only_near_the_region_and_only_while_typing() -> None:
    def diagnostic(code: str, line: int) -> types.Diagnostic:
        return types.Diagnostic(range=rng(line, 0, line, 1), message="m", code=code)

    near, far, leak = diagnostic("UL001", 8), diagnostic("UL001", 30), diagnostic("UL101", 8)
    region = TypingRegion(5, 7, at=100.0)
    assert held_back([near, far, leak], region, now=100.5) == [near]
    assert held_back([near, far, leak], region, now=100.0 + SYNTAX_ERROR_IDLE) == []
    assert held_back([near], None, now=0.0) == []
