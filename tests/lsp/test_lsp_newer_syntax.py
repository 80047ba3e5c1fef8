"""Valid code for a newer Python than the server's, in the editor: one information note per
document that names both Pythons and the `unleak.interpreter` setting, every other definition
analysed; in a project whose `requires-python` admits an older Python, a real error."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from lsprotocol import types

from .conftest import Starter

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.skipif(sys.version_info >= (3, 12), reason="this Python parses PEP 695 syntax"),
]

NEWER = """\
type Pair = tuple[int, int]


def first[T](items: list[T]) -> T:
    return items[0]


def leak(path):
    g = open(path)
    return g.read()
"""


def project(root: Path, requires: str) -> str:
    root.mkdir()
    (root / "pyproject.toml").write_text(
        f'[project]\nname = "p"\nrequires-python = "{requires}"\n', encoding="utf-8"
    )
    app = root / "app.py"
    app.write_text(NEWER, encoding="utf-8")
    return app.as_uri()


async def test_newer_syntax_is_one_note_and_the_rest_is_analysed(
    start: Starter, tmp_path: Path
) -> None:
    uri = project(tmp_path / "new", ">=3.12")
    s = await start(folders=[tmp_path / "new"])
    s.open(uri, NEWER)
    note, leak = sorted(await s.diagnostics(uri, 1), key=lambda d: d.range.start.line)
    assert (leak.code, leak.range.start.line) == ("UL101", 8)
    assert note.code == "UL001" and note.range.start.line == 0
    assert note.severity == types.DiagnosticSeverity.Information
    running = ".".join(map(str, sys.version_info[:3]))
    assert note.message.startswith(
        f"a `type` alias statement needs Python 3.12 (unleak runs on Python {running}), so "
        "the 2 statements or definitions using newer syntax are not checked for leaks"
    )
    assert "the project requires Python 3.12 or newer" in note.message
    assert "point `unleak.interpreter` (VS Code) at it" in note.message


async def test_a_project_for_an_older_python_gets_errors(start: Starter, tmp_path: Path) -> None:
    uri = project(tmp_path / "old", ">=3.10")
    s = await start(folders=[tmp_path / "old"])
    s.open(uri, NEWER)
    found = sorted(
        (str(d.code), d.range.start.line, d.severity) for d in await s.diagnostics(uri, 1)
    )
    error = types.DiagnosticSeverity.Error
    assert found == [
        ("UL001", 0, error),
        ("UL001", 3, error),
        ("UL101", 8, types.DiagnosticSeverity.Warning),
    ]
