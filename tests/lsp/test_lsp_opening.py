"""A large document's first analysis shown in steps (lsp/opening.py): findings published
while it runs, each publication among the final findings, a newer version abandoning the
opening, a hover answered before the analysis ends, and its $/progress."""

from __future__ import annotations

import asyncio
import time

import pytest
from lsprotocol import types

from .conftest import Session, Starter, wait_until

pytestmark = pytest.mark.asyncio

URI = "file:///tmp/unleak-lsp-test/big.py"
FUNCTIONS = 1500  # 6,000 lines
# A lower threshold than OPENING_LINES, for a module analysed in a few seconds; related
# locations published for its 1,501 findings (as for its first steps' fewer than 1,000), so
# that a hover says the same during the opening and after it.
ENV = {"UNLEAK_OPENING_LINES": "5000", "UNLEAK_RELATED_LIMIT": "5000"}


def big_module(functions: int = FUNCTIONS) -> str:
    """Functions that each leak a file, then module-level code that leaks one too (found at
    the end alone)."""
    body = "".join(
        f"def read_{i}(path):\n    f = open(path)\n    return f.read()\n\n"
        for i in range(functions)
    )
    return body + "log = open('log.txt', 'w')\nlog.write('x')\n"


def keys(diagnostics: list[types.Diagnostic]) -> set[tuple[object, ...]]:
    return {(d.range.start.line, d.range.start.character, d.code, d.message) for d in diagnostics}


async def final(s: Session, version: int, count: int) -> list[list[types.Diagnostic]]:
    """Every publication of ``version``, once one has ``count`` diagnostics."""

    def done() -> bool:
        return any(p.version == version and len(p.diagnostics) == count for p in s.published)

    await wait_until(done, f"{count} diagnostics for version {version}", timeout=120)
    return [p.diagnostics for p in s.published if p.uri == URI and p.version == version]


async def test_findings_are_published_while_the_document_opens(start: Starter) -> None:
    s = await start(progress=True, env=ENV)
    s.open(URI, big_module())
    steps = await final(s, 1, FUNCTIONS + 1)
    assert len(steps) >= 2, "one publication: the opening was not shown in steps"
    last = keys(steps[-1])
    assert len(last) == FUNCTIONS + 1
    assert steps[0] and len(steps[0]) < FUNCTIONS
    before: set[tuple[object, ...]] = set()
    for found in steps:
        now = keys(found)
        assert before <= now <= last  # only grows, never says what the end contradicts
        before = now
    # the module-level leak (after the functions) comes with the full analysis alone
    assert all(d.range.start.line < 4 * FUNCTIONS for found in steps[:-1] for d in found)
    # $/progress: begun, reported, ended
    (reports,) = s.client.progress_reports.values()
    assert isinstance(reports[0], types.WorkDoneProgressBegin)
    await wait_until(
        lambda: isinstance(reports[-1], types.WorkDoneProgressEnd), "the progress to end"
    )


async def test_a_newer_version_supersedes_the_opening(start: Starter) -> None:
    s = await start(env=ENV)
    s.open(URI, big_module())
    await s.diagnostics(URI, 1)  # the first step's
    # `open` renamed in the first function: one finding less
    at = types.Position(1, 12)
    version = s.change(URI, types.TextEdit(types.Range(at, at), "ed"))
    steps = await final(s, version, FUNCTIONS)
    expected = keys(steps[-1])
    assert (1, 8, "UL101") not in {k[:3] for k in expected}
    assert all(keys(found) <= expected for found in steps)
    await asyncio.sleep(0.5)
    assert s.published[-1].version == version  # nothing of version 1 after it


async def test_an_edit_while_the_document_opens_is_shown_at_once(start: Starter) -> None:
    """The findings known so far, moved with the edit, are published for the edited text
    between two steps: the edit does not wait for the opening to end."""
    s = await start(env=ENV)
    s.open(URI, big_module())
    await s.diagnostics(URI, 1)
    at = types.Position(0, 0)
    version = s.change(URI, types.TextEdit(types.Range(at, at), "import os\n"))
    steps = await final(s, version, FUNCTIONS + 1)
    assert len(steps) >= 2 and len(steps[0]) < FUNCTIONS, [len(found) for found in steps]
    last = keys(steps[-1])
    assert all(keys(found) <= last for found in steps)  # moved down a line, as they end
    assert min(d.range.start.line for d in steps[0]) == 2


async def test_a_hover_is_answered_while_the_document_opens(start: Starter) -> None:
    s = await start(env=ENV)
    s.open(URI, big_module())
    await s.diagnostics(URI, 1)
    line = 4 * (FUNCTIONS - 10) + 1  # `    f = open(path)` near the end
    started = time.monotonic()
    hover = await s.hover(URI, line, 10)  # inside `open(path)`: the finding
    took = time.monotonic() - started
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert "**unleak UL101**" in hover.contents.value
    assert "**Fix**" in hover.contents.value  # built for the hover
    # Answered before the opening ended, not after it.
    assert not any(len(p.diagnostics) == FUNCTIONS + 1 for p in s.published), took
    # Over the name: its explanation comes from the opening too, but jedi's part of that
    # hover reads the whole 6,000-line text (about a second), so the opening may end first.
    over_name = await s.hover(URI, line, 4)  # `f`: where it is released (never)
    assert over_name is not None and isinstance(over_name.contents, types.MarkupContent)
    assert "`f`" in over_name.contents.value
    await final(s, 1, FUNCTIONS + 1)
    again = await s.hover(URI, line, 10)  # from the full analysis: the same
    assert again is not None and again.contents == hover.contents


async def test_a_smaller_document_is_published_once(start: Starter) -> None:
    s = await start()  # OPENING_LINES: 30,000
    s.open(URI, big_module())
    await final(s, 1, FUNCTIONS + 1)
    await asyncio.sleep(0.3)
    assert len([p for p in s.published if p.version == 1]) == 1
