"""Hover: a finding's story and a line about its rule, and a rule code in a noqa comment."""

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
    # This instance first (what, acquired where, the path that leaks it, the fix), in a few
    # lines, without repeating the diagnostic's message (shown above the hover by editors).
    first, fix, rule = text.split("\n\n")
    assert first == (
        "**unleak UL101**: The file `f` opened by `open(path)` on line 2 is not closed when "
        "the function returns at line 5."
    )
    assert fix == "**Fix**: Open `open()` in a `with` block."
    assert d.message not in text
    # Then one line about the rule, with a link to its full text in the installed docs.
    assert rule.startswith("**UL101** `not-released`: A resource is not released on a normal path")
    link = rule.rsplit("[Full rule](", 1)[1].removesuffix(")")
    assert link.startswith("file:///") and link.endswith("docs/rules.md#ul101-not-released")
    assert "What it does" not in text and "Why it matters" not in text
    assert len(text.splitlines()) <= 5
    # Outside any finding and any comment: nothing.
    assert await s.hover(URI, 2, 5) is None


async def test_hover_of_an_unsafe_fix_says_so(start: Starter) -> None:
    s = await start()
    text = "def f(lock, x):\n    lock.acquire()\n    if x:\n        return\n    lock.release()\n"
    s.open(URI, text)
    assert [d.code for d in await s.diagnostics(URI, 1)] == ["UL105"]
    body = markdown(await s.hover(URI, 1, 6))
    assert body.startswith(
        "**unleak UL105**: The lock `lock` on line 2 is not released when the function returns "
        "at line 4."
    )
    assert "\n\n**Fix** (unsafe: review the change): Hold `lock` in a `with` block" in body


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
    assert "[Full rule](file:///" in body and "#ul102-not-released-on-exception)" in body
    assert hover is not None and hover.range == rng(2, column, 2, column + 5)
    first = markdown(await s.hover(URI, 2, column - 3))
    assert first.startswith("**UL108** `dropped-task`")
    # `# unleak: ignore[...]` comments too.
    v = s.replace_all(URI, "x = 1  # unleak: ignore[UL109]\n")
    await s.diagnostics(URI, v)
    assert markdown(await s.hover(URI, 0, 27)).startswith("**UL109**")
