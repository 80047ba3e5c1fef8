"""Deeply nested code in the editor: a definition with a 2,500-call chain is analysed like any
other, and one the running Python cannot parse costs only itself (an information note), while
the server keeps answering and every other definition is published, also after edits."""

from __future__ import annotations

import asyncio
import sys

import pytest
from lsprotocol import types
from unleak.lsp.typing_region import SYNTAX_ERROR_IDLE

from .conftest import Starter
from .test_lsp_diagnostics import URI, rng

pytestmark = pytest.mark.asyncio

DEEP = f"""\
def deep(path, x):
    h = open(path)
    y = x{"(1)" * 2500}
    h.close()
    return y


def unparsable(x):
    return {" + ".join(["x"] * 20_000)}


def leak(path):
    g = open(path)
    return g.read()
"""


def summary(diagnostics: list[types.Diagnostic]) -> list[tuple[str, int, int | None]]:
    return sorted((str(d.code), d.range.start.line, d.severity) for d in diagnostics)


async def test_deep_code_costs_only_the_definition_this_python_cannot_parse(
    start: Starter,
) -> None:
    s = await start()
    s.open(URI, DEEP)
    warning, info = types.DiagnosticSeverity.Warning, types.DiagnosticSeverity.Information
    expected = [("UL001", 7, info), ("UL101", 12, warning), ("UL102", 1, warning)]
    diagnostics = await s.diagnostics(URI, 1)
    assert summary(diagnostics) == expected
    (note,) = [d for d in diagnostics if d.code == "UL001"]
    running = ".".join(map(str, sys.version_info[:2]))
    assert note.message == (
        f"`unparsable` is nested too deeply for Python {running} to parse, so it is not "
        "checked for leaks; the rest of the file is"
    )
    assert note.range == rng(7, 0, 7, len("def unparsable(x):"))

    # Edits in the other definitions and in the deep one are analysed as they come. (Each
    # after a pause: a burst of edits around the note would hold it back as being typed.)
    edits = [
        (rng(13, 19, 13, 19), "  # read it all", expected),
        (rng(3, 13, 3, 13), "  # closed", expected),
        # The deep definition made clean: its exception path goes, nothing else changes.
        (rng(1, 4, 1, 18), "h = None", expected[:2]),
    ]
    for where, text, after in edits:
        await asyncio.sleep(SYNTAX_ERROR_IDLE)
        v = s.change(URI, types.TextEdit(where, text))
        assert summary(await s.diagnostics(URI, v)) == after
