"""Hover: a finding's story with its rule's explanation, and a rule code in a noqa comment."""

from __future__ import annotations

import pytest
from lsprotocol import types

from .conftest import Starter
from .test_lsp_diagnostics import LEAKY, URI, rng

pytestmark = pytest.mark.asyncio


def markdown(hover: types.Hover | None) -> str:
    assert hover is not None
    assert isinstance(hover.contents, types.MarkupContent)
    assert hover.contents.kind == types.MarkupKind.Markdown
    return hover.contents.value


async def test_hover_on_a_finding(start: Starter) -> None:
    s = await start()
    s.open(URI, LEAKY)
    (d,) = await s.diagnostics(URI, 1)
    hover = await s.hover(URI, 1, 12)
    text = markdown(hover)
    assert hover is not None and hover.range == d.range
    assert d.message in text
    assert "**Resource:** file" in text
    assert "**Acquired:** line 2 by `open()`" in text
    assert "**Leaks:** when the function returns on line 5" in text
    assert "**Suggested fix** (safe): Open `open()` in a `with` block" in text
    assert "**What it does**" in text and "**Why it matters**" in text
    assert "#ul101-not-released" in text
    # Outside any finding and any comment: nothing.
    assert await s.hover(URI, 2, 5) is None


async def test_hover_on_a_noqa_code(start: Starter) -> None:
    s = await start()
    noqa = "    line = f.readline()  # noqa: UL108, UL102\n"
    text = LEAKY.replace("    line = f.readline()\n", noqa)
    s.open(URI, text)
    await s.diagnostics(URI, 1)
    column = text.splitlines()[2].index("UL102")
    hover = await s.hover(URI, 2, column + 2)
    body = markdown(hover)
    assert body.startswith("**UL102** `not-released-on-exception`")
    assert "**What it does**" in body
    assert hover is not None and hover.range == rng(2, column, 2, column + 5)
    first = markdown(await s.hover(URI, 2, column - 3))
    assert first.startswith("**UL108** `dropped-task`")
    # `# unleak: ignore[...]` comments too.
    v = s.replace_all(URI, "x = 1  # unleak: ignore[UL109]\n")
    await s.diagnostics(URI, v)
    assert markdown(await s.hover(URI, 0, 27)).startswith("**UL109**")
