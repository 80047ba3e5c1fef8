"""Every kind of fix, through the editor: each before/after case of `tests/fixes/cases` is
opened in the server, and its quick fixes are applied one at a time as an editor applies a
code action's edit (versioned), re-checking after each, until none is left. The document then
reads exactly as `unleak check --fix` leaves the file, and has no finding left."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types

from .conftest import Session, Starter

pytestmark = pytest.mark.asyncio

CASES = Path(__file__).parent.parent / "fixes" / "cases"
BEFORE = sorted(p for p in CASES.glob("*.py") if not p.name.endswith(".fixed.py"))


async def next_fix(s: Session, uri: str, unsafe: bool) -> types.CodeAction | None:
    """The quick fix of the first diagnostic that has one (None: nothing left to fix)."""
    for d in await s.diagnostics(uri, s.versions[uri]):
        actions = await s.code_actions(uri, d.range)
        for a in actions:
            if a.kind != types.CodeActionKind.QuickFix or a.title.startswith("Ignore"):
                continue
            if not a.diagnostics or a.diagnostics[0].code != d.code:
                continue
            if a.is_preferred or (unsafe and "unsafe" in a.title):
                return a
    return None


@pytest.mark.parametrize("path", BEFORE, ids=lambda p: p.stem)
async def test_each_quick_fix_applied_and_rechecked(start: Starter, path: Path) -> None:
    text = path.read_bytes().decode("utf-8")
    expected = path.with_name(path.stem + ".fixed.py").read_bytes().decode("utf-8")
    unsafe = path.stem.endswith("unsafe")
    s = await start()
    uri = path.as_uri()
    s.open(uri, text)
    applied = 0
    while (fix := await next_fix(s, uri, unsafe)) is not None:
        assert fix.edit is not None
        before = {str(d.code) for d in await s.diagnostics(uri, s.versions[uri])}
        version = s.apply_workspace_edit(fix.edit)
        after = await s.diagnostics(uri, version)
        # Re-checked: the fixed finding is gone and no new kind of finding appeared.
        assert {str(d.code) for d in after} <= before, (fix.title, after)
        applied += 1
        assert applied < 20, "the fixes do not converge"
    assert applied >= 1
    assert s.texts[uri] == expected
    assert await s.diagnostics(uri, s.versions[uri]) == []
