"""Code actions: quick fixes applied and re-checked, "ignore on this line", fix all."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from unleak.pipeline.fix_loop import fix_source

from .conftest import Starter
from .test_lsp_diagnostics import LEAKY, URI, rng

pytestmark = pytest.mark.asyncio

TWO_LEAKS = """\
import sqlite3


def first_line(path):
    f = open(path)  # the file
    line = f.readline()
    if not line:
        return None
    f.close()
    return line.strip()


def count(db):
    with sqlite3.connect(db) as conn:
        return conn.execute("select count(*) from t").fetchone()
"""


async def test_quick_fix_applied_and_rechecked(start: Starter) -> None:
    s = await start()
    s.open(URI, TWO_LEAKS)
    found = await s.diagnostics(URI, 1)
    assert sorted(str(d.code) for d in found) == ["UL101", "UL103"]
    for code in ("UL101", "UL103"):
        (d,) = [d for d in await s.diagnostics(URI, s.versions[URI]) if d.code == code]
        actions = await s.code_actions(URI, d.range)
        fixes = [a for a in actions if a.kind == types.CodeActionKind.QuickFix and a.is_preferred]
        assert len(fixes) == 1, [a.title for a in actions]
        (fix,) = fixes
        assert fix.diagnostics and fix.diagnostics[0].code == code
        assert fix.edit is not None
        v = s.apply_workspace_edit(fix.edit)
        remaining = await s.diagnostics(URI, v)
        assert code not in {d.code for d in remaining}
    assert await s.diagnostics(URI, s.versions[URI]) == []
    text = s.texts[URI]
    assert "with open(path) as f:  # the file" in text
    assert "contextlib.closing(sqlite3.connect(db))" in text
    compile(text, "x.py", "exec")


async def test_actions_carry_the_version_they_were_computed_for(start: Starter) -> None:
    s = await start()
    s.open(URI, LEAKY)
    (d,) = await s.diagnostics(URI, 1)
    s.change(URI, types.TextEdit(rng(0, 0, 0, 0), "\n"))
    moved = types.Range(
        types.Position(d.range.start.line + 1, d.range.start.character),
        types.Position(d.range.end.line + 1, d.range.end.character),
    )
    actions = await s.code_actions(URI, moved)
    assert len(actions) == 2  # the fix and the ignore
    for action in actions:
        assert action.edit is not None and action.edit.document_changes
        (change,) = action.edit.document_changes
        assert isinstance(change, types.TextDocumentEdit)
        assert change.text_document.version == 2
    # Nothing flagged here: no action.
    assert await s.code_actions(URI, rng(0, 0, 0, 0)) == []


async def test_ignore_on_this_line(start: Starter) -> None:
    s = await start()
    s.open(URI, LEAKY)
    (d,) = await s.diagnostics(URI, 1)
    actions = await s.code_actions(URI, d.range)
    (ignore,) = [a for a in actions if a.title == "Ignore UL101 on this line"]
    assert ignore.edit is not None
    v = s.apply_workspace_edit(ignore.edit)
    assert s.texts[URI].splitlines()[1] == "    f = open(path)  # noqa: UL101"
    assert await s.diagnostics(URI, v) == []


async def test_ignore_merges_into_an_existing_noqa(start: Starter) -> None:
    s = await start()
    s.open(URI, LEAKY.replace("    f = open(path)\n", "    f = open(path)  # noqa: UL108\n"))
    (d,) = await s.diagnostics(URI, 1)
    actions = await s.code_actions(URI, d.range)
    (ignore,) = [a for a in actions if a.title.startswith("Ignore")]
    assert ignore.edit is not None
    v = s.apply_workspace_edit(ignore.edit)
    assert s.texts[URI].splitlines()[1] == "    f = open(path)  # noqa: UL108, UL101"
    assert await s.diagnostics(URI, v) == []


async def test_fix_all(start: Starter) -> None:
    s = await start()
    s.open(URI, TWO_LEAKS)
    assert len(await s.diagnostics(URI, 1)) == 2
    # Not offered unless source actions are asked for.
    assert not [a for a in await s.code_actions(URI, rng(0, 0, 0, 0)) if a.kind]
    (action,) = await s.code_actions(URI, rng(0, 0, 0, 0), only=["source.fixAll"])
    assert action.kind == "source.fixAll.unleak"
    assert action.edit is not None
    v = s.apply_workspace_edit(action.edit)
    assert s.texts[URI] == fix_source(TWO_LEAKS, "/tmp/unleak-lsp-test/app.py").text
    assert await s.diagnostics(URI, v) == []
    # Nothing left to fix: no action.
    assert await s.code_actions(URI, rng(0, 0, 0, 0), only=["source.fixAll.unleak"]) == []


REBOUND = """\
def concat_two(first, second):
    src = open(first, "rb")
    data = src.read()
    src = open(second, "rb")
    data += src.read()
    src.close()
    return data
"""


FAULTY_SERVER = (
    "import sys; sys.path.insert(0, {fixes!r}); import faulty_fix; faulty_fix.install(); "
    "from unleak.lsp.entry import run_server; raise SystemExit(run_server([]))"
)


async def test_a_fix_failing_its_check_is_not_offered(start: Starter) -> None:
    # A server whose UL107 fix leaves its finding (tests/fixes/faulty_fix.py): not offered.
    fixes = Path(__file__).parent.parent / "fixes"
    s = await start(command=("-c", FAULTY_SERVER.format(fixes=str(fixes))))
    s.open(URI, REBOUND)
    found = await s.diagnostics(URI, 1)
    (rebound,) = [d for d in found if d.code == "UL107"]
    actions = await s.code_actions(URI, rebound.range)
    titles = [a.title for a in actions]
    assert titles == ["Ignore UL107 on this line"], titles
    # Another fix in the same document passes its check and is offered.
    (other,) = [d for d in found if d.code == "UL102"]
    titles = [a.title for a in await s.code_actions(URI, other.range)]
    assert any("UL102" in t and "Ignore" not in t for t in titles), titles


async def test_a_fix_passing_its_check_is_offered(start: Starter) -> None:
    # The real UL107 fix: a `with` that ends right before the name is rebound.
    s = await start()
    s.open(URI, REBOUND)
    (rebound,) = [d for d in await s.diagnostics(URI, 1) if d.code == "UL107"]
    titles = [a.title for a in await s.code_actions(URI, rebound.range)]
    assert titles[0] == "Open `open()` in a `with` block (UL107)", titles
