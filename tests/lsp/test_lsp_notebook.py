"""Notebooks in the editor: with notebook sync, the cells are one module (as `unleak check`
has them), diagnostics go to each cell's URI in its own positions, an edit in one cell
re-checks the others, and a quick fix edits its cell. Without notebook sync, each cell is a
document of its own, as before."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types

from .conftest import Starter, apply_edit

pytestmark = pytest.mark.asyncio

# The cell of the real VS Code end-to-end test (tests/e2e/vscode/run.mjs).
E2E_CELL = "def read_config(path):\n    f = open(path)\n    data = f.read()\n    return data"
OPENED = "import os\nlog = open('run.log')\n"
USED = "%matplotlib inline\nlog.write('x')\n"
CLOSED = "log.close()\n"


def summary(found: list[types.Diagnostic]) -> list[tuple[int, int, str]]:
    return sorted((d.range.start.line, d.range.start.character, str(d.code)) for d in found)


async def test_server_offers_notebook_sync(start: Starter) -> None:
    s = await start(notebooks=True)
    assert s.server_capabilities is not None
    sync = s.server_capabilities.notebook_document_sync
    assert isinstance(sync, types.NotebookDocumentSyncOptions)
    (selector,) = sync.notebook_selector
    # Any notebook, its Python cells (the client may read the JSON as either filter type).
    assert selector.notebook == "*"
    assert [c.language for c in selector.cells or []] == ["python"]
    # A client that cannot sync notebooks is not offered it (it sends cells as documents).
    plain = await start()
    assert plain.server_capabilities is not None
    assert plain.server_capabilities.notebook_document_sync is None


async def test_cells_are_one_module(start: Starter, tmp_path: Path) -> None:
    s = await start(notebooks=True, folders=[tmp_path])
    uri = (tmp_path / "nb.ipynb").as_uri()
    cells = s.open_notebook(
        uri, [("markdown", "# Notes\n"), ("code", OPENED), ("code", USED), ("code", CLOSED)]
    )
    # Closed in a later cell: no leak in the second cell; the magic is no syntax error.
    for cell in cells[1:]:
        assert await s.diagnostics(cell, 1) == []
    # The close goes: the file opened in the second cell leaks, at line 2 of that cell.
    v = s.change_cell(uri, cells[3], "print('done')\n")
    assert await s.diagnostics(cells[3], v) == []

    async def leak_shown() -> list[tuple[int, int, str]]:
        found = [p for p in s.published if p.uri == cells[1]]
        return summary(found[-1].diagnostics) if found else []

    for _ in range(500):
        if await leak_shown() == [(1, 6, "UL101")]:
            break
        await _sleep()
    assert await leak_shown() == [(1, 6, "UL101")]
    s.close_notebook(uri, cells)


async def _sleep() -> None:
    import asyncio

    await asyncio.sleep(0.02)


async def test_cells_added_and_removed(start: Starter, tmp_path: Path) -> None:
    s = await start(notebooks=True, folders=[tmp_path])
    uri = (tmp_path / "nb.ipynb").as_uri()
    cells = s.open_notebook(uri, [("code", OPENED), ("code", USED)])
    assert summary(await s.diagnostics(cells[0], 1)) == [(1, 6, "UL101")]
    # A cell that closes the file is added at the end: the first cell is clean.
    closing = cells[0].replace("#W0", "#W9")
    seen = len(s.published)
    s.splice_cells(uri, 2, [], [(closing, CLOSED)])
    assert await s.diagnostics(cells[0], 1, after=seen) == []
    # The cell that used it goes (the closing cell moves up): still clean.
    seen = len(s.published)
    s.splice_cells(uri, 1, [cells[1]], [])
    assert await s.diagnostics(cells[0], 1, after=seen) == []
    # The closing cell goes: the leak is back, and the removed cells are cleared.
    seen = len(s.published)
    s.splice_cells(uri, 1, [closing], [])
    assert summary(await s.diagnostics(cells[0], 1, after=seen)) == [(1, 6, "UL101")]
    assert await s.diagnostics(closing, None, after=seen) == []


async def test_quick_fix_edits_the_cell(start: Starter, tmp_path: Path) -> None:
    s = await start(notebooks=True, folders=[tmp_path])
    uri = (tmp_path / "notebook.ipynb").as_uri()
    (cell,) = s.open_notebook(uri, [("code", E2E_CELL)])
    (d,) = await s.diagnostics(cell, 1)
    assert (d.range.start.line, str(d.code)) == (1, "UL101")
    actions = await s.code_actions(cell, d.range)
    (fix,) = [a for a in actions if a.kind == types.CodeActionKind.QuickFix and a.is_preferred]
    assert fix.edit is not None and fix.edit.document_changes
    (change,) = fix.edit.document_changes
    assert isinstance(change, types.TextDocumentEdit)
    assert change.text_document.uri == cell and change.text_document.version == 1
    text = s.texts[cell]
    for edit in sorted(
        (e for e in change.edits if isinstance(e, types.TextEdit)),
        key=lambda e: (e.range.start.line, e.range.start.character),
        reverse=True,
    ):
        text = apply_edit(text, edit, s.encoding)
    # What the VS Code end-to-end test expects of the cell (tests/e2e/test_vscode.py).
    assert text == (
        "def read_config(path):\n    with open(path) as f:\n        data = f.read()\n"
        "    return data"
    )
    v = s.change_cell(uri, cell, text)
    assert await s.diagnostics(cell, v) == []


async def test_cells_as_plain_documents_are_checked_alone(start: Starter) -> None:
    # A client without notebook sync sends each cell as a document: checked on its own.
    s = await start()
    cell = "vscode-notebook-cell:/work/notebook.ipynb#W0sZmlsZQ"
    s.open(cell, E2E_CELL)
    (d,) = await s.diagnostics(cell, 1)
    assert (d.range.start.line, str(d.code)) == (1, "UL101")
    actions = await s.code_actions(cell, d.range)
    assert any(a.kind == types.CodeActionKind.QuickFix and a.is_preferred for a in actions)


async def test_hover_explains_a_cell_in_its_notebook(start: Starter, tmp_path: Path) -> None:
    from .test_lsp_hover import markdown

    s = await start(notebooks=True, folders=[tmp_path])
    uri = (tmp_path / "nb.ipynb").as_uri()
    cells = s.open_notebook(uri, [("code", "x = 1\n" + OPENED), ("code", USED), ("code", CLOSED)])
    assert await s.diagnostics(cells[0], 1) == []
    # `log` in the first cell (line 3 of it): closed in the third cell, said in its words.
    text = markdown(await s.hover(cells[0], 2, 1))
    assert "line 1 of cell 3" in text, text
    hover = await s.hover(cells[0], 2, 1)
    assert hover is not None and hover.range is not None
    assert hover.range.start.line == 2
