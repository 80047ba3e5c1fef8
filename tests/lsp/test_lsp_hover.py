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


async def test_related_locations_go_to_the_hover_above_the_limit(start: Starter) -> None:
    """A document with more findings than the limit (1,000; 1 here) publishes them without
    their related locations (about 60% of the bytes sent at every edit) and their rule's
    link; its hover lists the related locations (and links the rule, as always)."""
    s = await start(env={"UNLEAK_RELATED_LIMIT": "1"})
    more = URI.replace(".py", "_more.py")
    s.open(URI, LEAKY)
    s.open(more, LEAKY + "\n\ndef other(path):\n    g = open(path)\n    return g.read()\n")
    listed = "\n\n- line 2: the file is opened here.\n- line 5: the function returns here"
    (one,) = await s.diagnostics(URI, 1)
    assert one.related_information and one.code_description is not None
    assert "- line" not in markdown(await s.hover(URI, 1, 12))
    two = await s.diagnostics(more, 1)
    assert len(two) == 2
    assert not any(d.related_information or d.code_description for d in two)
    assert (two[0].code, two[0].message, two[0].range) == (one.code, one.message, one.range)
    body = markdown(await s.hover(more, 1, 12))
    assert listed in body and "[Full rule](" in body


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
    # Said once, with why (the description of an unsafe fix says what it changes).
    assert (
        "\n\n**Fix**: Hold `lock` in a `with` block (unsafe: the `with` also releases it at "
        "line 4, which leaves it held today).\n\n"
    ) in body
    assert body.count("unsafe") == 1


@pytest.mark.parametrize(
    ("text", "line", "column", "story"),
    [
        # Dropped at once: one reason, said once.
        (
            "import json\n\ndef load(path):\n    return json.load(open(path))\n",
            3,
            23,
            "**unleak UL101**: The file opened by `open(path)` on line 4 is never closed: it "
            "leaks at once, as it is not kept in a variable.",
        ),
        # What looks like the release and is not one.
        (
            "import sqlite3\n\ndef count(db):\n    with sqlite3.connect(db) as conn:\n"
            "        return conn.execute('select 1').fetchone()\n",
            3,
            10,
            "**unleak UL103**: The sqlite3 connection `conn` opened by `sqlite3.connect(db)` on "
            "line 4 is not closed when the function returns at line 5: `with` only ends the "
            "transaction.",
        ),
        # Lost when the loop comes back after an exception: closing it "first" cannot help.
        (
            "def accept(sock, handle):\n    for _ in range(10):\n        try:\n"
            "            conn, addr = sock.accept()\n            conn.setblocking(False)\n"
            "        except OSError:\n            continue\n        else:\n"
            "            handle(conn)\n",
            3,
            26,
            "**unleak UL107**: The socket `conn` created by `sock.accept()` on line 4 is not "
            "closed if `conn.setblocking(False)` on line 5 raises and the loop comes back to "
            "line 4, which reassigns `conn`. To fix: close it where the exception is handled.",
        ),
    ],
    ids=["dropped", "with-does-not-release", "rebound-after-exception"],
)
async def test_hover_tells_this_instance(
    start: Starter, text: str, line: int, column: int, story: str
) -> None:
    s = await start()
    s.open(URI, text)
    (d,) = await s.diagnostics(URI, 1)
    assert d.range.start.line == line
    body = markdown(await s.hover(URI, line, column))
    assert body.split("\n\n")[0] == story
    assert len(body.splitlines()) <= 6


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
