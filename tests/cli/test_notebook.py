"""`unleak check` on Jupyter notebooks: the code cells are one module, positions are cells'."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from .helpers import RunCli, no_traceback

pytestmark = pytest.mark.engine


def notebook(*cells: str | tuple[str, str], language: str = "python") -> str:
    """A notebook's JSON: each cell a code cell's source, or (cell_type, source)."""
    out: list[dict[str, Any]] = []
    for cell in cells:
        kind, source = cell if isinstance(cell, tuple) else ("code", cell)
        lines = source.splitlines(keepends=True)
        item: dict[str, Any] = {"cell_type": kind, "metadata": {}, "source": lines}
        if kind == "code":
            item.update(execution_count=None, outputs=[])
        out.append(item)
    doc = {
        "cells": out,
        "metadata": {"language_info": {"name": language}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(doc, indent=1)


def test_cells_share_one_namespace(cli: RunCli, project: Path) -> None:
    (project / "nb.ipynb").write_text(
        notebook(
            ("markdown", "# Reading\n"),
            "import os\nf = open('a.txt')\ng = open('b.txt')\n",
            "data = f.read()\n",
            "f.close()\n",
        ),
        encoding="utf-8",
    )
    result = cli("check", ".")
    assert result.code == 1, result
    # `f` is closed in the fourth cell: no leak. `g` never is; line 3 of the second cell.
    lines = result.out.splitlines()
    assert lines[0].startswith("nb.ipynb:cell 2:3:5: UL101 "), result.out
    assert "`g`" in lines[0]
    assert lines[1] == "Found 1 problem in 1 file."


def test_magics_are_masked_without_moving_positions(cli: RunCli, project: Path) -> None:
    (project / "nb.ipynb").write_text(
        notebook(
            "%matplotlib inline\n!pip install x\nfiles = !ls\nos?\n"
            "for p in files:\n    %time q = open(p)\nh = open('c')\n",
            "%%bash\necho f = open('x')\n",
            "%%time\nk = open('d')\n",
        ),
        encoding="utf-8",
    )
    result = cli("check", "nb.ipynb", "--no-cache")
    assert no_traceback(result)
    found = [line.split(": UL")[0] for line in result.out.splitlines() if ": UL" in line]
    # No syntax error for the IPython lines; the leaks after them keep their columns and lines;
    # the bash cell is not Python.
    assert found == ["nb.ipynb:cell 1:7:5", "nb.ipynb:cell 3:2:5"], result.out


def test_json_and_sarif_carry_the_cell(cli: RunCli, project: Path) -> None:
    (project / "nb.ipynb").write_text(notebook("x = 1\n", "f = open('a')\n"), encoding="utf-8")
    (project / "mod.py").write_text("f = open('a')\n", encoding="utf-8")
    items = json.loads(cli("check", ".", "--format", "json").out)
    by_path = {item["path"]: item for item in items}
    assert by_path["nb.ipynb"]["cell"] == 2
    assert (by_path["nb.ipynb"]["line"], by_path["nb.ipynb"]["column"]) == (1, 5)
    assert "cell" not in by_path["mod.py"]
    sarif = json.loads(cli("check", ".", "--format", "sarif").out)
    results = sarif["runs"][0]["results"]
    cells = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: r.get(
            "properties", {}
        ).get("cell")
        for r in results
    }
    assert cells == {"nb.ipynb": 2, "mod.py": None}


def test_messages_name_lines_within_cells(cli: RunCli, project: Path) -> None:
    (project / "nb.ipynb").write_text(
        notebook("f = open('a')\n", "x = 1\nf = open('b')\nf.close()\n"), encoding="utf-8"
    )
    result = cli("check", "nb.ipynb")
    line = next(line for line in result.out.splitlines() if "UL107" in line)
    assert line.startswith("nb.ipynb:cell 1:1:5: UL107"), result.out
    # The rebinding is on line 2 of cell 2, not on line 3 of the joined module.
    assert "line 2 of cell 2" in line, line


def test_directory_walk_finds_notebooks_and_exclude_applies(cli: RunCli, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.unleak]\nextend-exclude = ["drafts/"]\n', encoding="utf-8"
    )
    for name in ("a.ipynb", "drafts/b.ipynb"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(notebook("f = open('a')\n"), encoding="utf-8")
    result = cli("check", ".")
    assert "a.ipynb:cell 1:1:5: UL101" in result.out
    assert "b.ipynb" not in result.out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "invalid notebook: not JSON"),
        ('{"cells": 3}', "invalid notebook: no list of cells"),
        (b"\xff\xfe{}", "invalid notebook: not UTF-8"),
    ],
)
def test_a_broken_notebook_is_a_file_that_could_not_be_checked(
    cli: RunCli, project: Path, content: str | bytes, message: str
) -> None:
    path = project / "nb.ipynb"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    (project / "ok.py").write_text("f = open('a')\n", encoding="utf-8")
    result = cli("check", ".")
    assert result.code == 2
    assert no_traceback(result)
    assert f"nb.ipynb: error: {message}" in result.err
    assert "ok.py:1:5: UL101" in result.out
    assert "1 file could not be checked." in result.out


def test_notebook_of_another_language_has_nothing_to_check(cli: RunCli, project: Path) -> None:
    (project / "r.ipynb").write_text(notebook("f <- file('a')\n", language="R"), encoding="utf-8")
    result = cli("check", ".")
    assert result.code == 0, result
    assert "All checks passed!" in result.out


def _jupyter(doc: dict[str, Any]) -> str:
    """As Jupyter writes a notebook."""
    return json.dumps(doc, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def test_fix_edits_only_the_cells_sources(cli: RunCli, project: Path) -> None:
    doc = json.loads(
        notebook("%matplotlib inline\nimport os", "def f(p):\n    h = open(p)\n    return h.read()")
    )
    doc["cells"][0]["outputs"] = [{"name": "stdout", "output_type": "stream", "text": ["é\n"]}]
    doc["metadata"]["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    text = _jupyter(doc)
    (project / "nb.ipynb").write_text(text, encoding="utf-8")
    result = cli("check", ".")
    assert "nb.ipynb:cell 2:2:9: UL101 [*] " in result.out, result.out
    diff = cli("check", ".", "--diff")
    assert diff.code == 1
    assert (project / "nb.ipynb").read_text(encoding="utf-8") == text
    assert "with open(p) as h:" in diff.out
    fixed = cli("check", ".", "--fix")
    assert fixed.code == 0, fixed
    assert "Fixed 1 problem; 0 remaining." in fixed.out
    after = (project / "nb.ipynb").read_text(encoding="utf-8")
    new = json.loads(after)
    assert "".join(new["cells"][1]["source"]) == (
        "def f(p):\n    with open(p) as h:\n        return h.read()"
    )
    # Everything else as it was, to the byte: outputs, metadata, the magic, the layout.
    doc["cells"][1]["source"] = new["cells"][1]["source"]
    assert after == _jupyter(doc)
    assert cli("check", ".").out == "All checks passed!\n"


def test_fix_across_cells_is_not_applied(cli: RunCli, project: Path) -> None:
    # Opened in one cell, read in the next, never closed: a `with` cannot span the cells.
    text = _jupyter(json.loads(notebook("h = open('a')\n", "print(h.read())\n")))
    (project / "nb.ipynb").write_text(text, encoding="utf-8")
    result = cli("check", ".", "--fix")
    assert result.code == 1
    assert "nb.ipynb:cell 1:1:5: UL101" in result.out
    assert (project / "nb.ipynb").read_text(encoding="utf-8") == text


def test_fix_keeps_a_layout_it_cannot_write_back(cli: RunCli, project: Path) -> None:
    # Keys in an order no json.dumps gives: the notebook is checked, never rewritten.
    text = notebook("def f(p):\n    h = open(p)\n    return h.read()\n").replace(
        '"cells": [', '"cells":  ['
    )
    (project / "nb.ipynb").write_text(text, encoding="utf-8")
    result = cli("check", ".", "--fix")
    assert result.code == 1
    assert "nb.ipynb:cell 1:2:9: UL101" in result.out
    assert (project / "nb.ipynb").read_text(encoding="utf-8") == text


def test_cached_run_keeps_the_cells(cli: RunCli, project: Path) -> None:
    (project / "nb.ipynb").write_text(notebook("x = 1\n", "f = open('a')\n"), encoding="utf-8")
    first = cli("check", ".")
    second = cli("check", ".")
    assert "nb.ipynb:cell 2:1:5: UL101" in first.out
    assert second.out == first.out


def test_a_notebook_does_not_shadow_the_module_of_its_name(cli: RunCli, project: Path) -> None:
    (project / "helpers.py").write_text(
        "import sqlite3\n\n\ndef connect(p):\n    return sqlite3.connect(p)\n", encoding="utf-8"
    )
    (project / "zz").mkdir()
    (project / "zz" / "helpers.ipynb").write_text(notebook("x = 1\n"), encoding="utf-8")
    (project / "user.py").write_text(
        "from helpers import connect\n\n\ndef rows(p):\n    conn = connect(p)\n"
        "    return conn.execute('x').fetchall()\n",
        encoding="utf-8",
    )
    result = cli("check", ".")
    assert "user.py:5:12: UL101" in result.out, result.out
