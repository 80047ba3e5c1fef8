"""The project index, the same in the CLI and the editor: every expected finding (a line
ending in ``# error: CODE``) of the fixture projects under ``tests/fixtures/projects/`` is
reported by ``unleak check`` and, file by file, by the language server, and nothing else is
(``# OK`` lines document what must stay silent); the two sets are identical. Then the index
follows an edited dependency (didChange) and a file changed on disk (didChangeWatchedFiles)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types

from .conftest import TIMEOUT, Session, Starter, wait_until

pytestmark = pytest.mark.asyncio

PROJECTS = Path(__file__).parents[1] / "fixtures" / "projects"
MARKER = re.compile(r"#\s*error:(?P<rest>.*)$")
CODE = re.compile(r"\bUL\d{3}\b")
# An expected finding the engine misses today: `# error: UL101  # known miss: why`.
MISS = re.compile(r"#\s*known miss:\s*(?P<why>.*)$")
# (path relative to the project, cell in a notebook (1-based among all its cells; 0 in a
# module), line (within the cell), code)
Key = tuple[str, int, int, str]
Found = set[Key]
NAMES = sorted(p.name for p in PROJECTS.iterdir() if p.is_dir())


def sources(root: Path) -> list[tuple[str, int, str]]:
    """Every module and notebook cell of a project: (relative path, cell, text)."""
    out = [(p.relative_to(root).as_posix(), 0, p.read_text("utf-8")) for p in root.rglob("*.py")]
    for nb in root.rglob("*.ipynb"):
        cells = json.loads(nb.read_text("utf-8"))["cells"]
        rel = nb.relative_to(root).as_posix()
        out += [(rel, n, "".join(c["source"])) for n, c in enumerate(cells, 1)]
    return sorted(out)


def markers(root: Path) -> tuple[Found, dict[Key, str]]:
    """The marked findings, and those the engine misses today (with why)."""
    found: Found = set()
    missed: dict[Key, str] = {}
    for rel, cell, text in sources(root):
        for number, line in enumerate(text.splitlines(), 1):
            m = MARKER.search(line)
            if m is None:
                continue
            miss = MISS.search(line)
            for code in CODE.findall(m.group("rest").split("#")[0]):
                key = (rel, cell, number, code)
                if miss is not None:
                    missed[key] = miss.group("why")
                else:
                    found.add(key)
    return found, missed


def expected(root: Path) -> Found:
    return markers(root)[0]


def cli_findings(root: Path) -> Found:
    proc = subprocess.run(
        [sys.executable, "-m", "unleak", "check", "--format", "json", "--no-cache", "."],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode in (0, 1), proc.stderr
    return {(f["path"], f.get("cell", 0), f["line"], f["code"]) for f in json.loads(proc.stdout)}


async def editor_findings(s: Session, root: Path) -> Found:
    """File by file, as an editor opens them; a notebook through notebook sync."""
    out: Found = set()
    for path in sorted(root.rglob("*.py")):
        uri = path.as_uri()
        s.open(uri, path.read_text(encoding="utf-8"))
        for d in await s.diagnostics(uri, 1):
            out.add((path.relative_to(root).as_posix(), 0, d.range.start.line + 1, str(d.code)))
        s.close(uri)
    for path in sorted(root.rglob("*.ipynb")):
        cells = json.loads(path.read_text("utf-8"))["cells"]
        uris = s.open_notebook(
            path.as_uri(), [(c["cell_type"], "".join(c["source"])) for c in cells]
        )
        for n, (uri, cell) in enumerate(zip(uris, cells, strict=True), 1):
            if cell["cell_type"] != "code":
                continue
            for d in await s.diagnostics(uri, 1):
                rel = path.relative_to(root).as_posix()
                out.add((rel, n, d.range.start.line + 1, str(d.code)))
        s.close_notebook(path.as_uri(), uris)
    return out


def copy_project(name: str, tmp_path: Path) -> Path:
    root = tmp_path / name
    shutil.copytree(PROJECTS / name, root)
    return root


# Each front end's findings per project, computed once for the tests below.
_SEEN: dict[tuple[str, str], Found] = {}


async def _cli(name: str, tmp_path: Path) -> Found:
    if ("cli", name) not in _SEEN:
        _SEEN["cli", name] = cli_findings(copy_project(name, tmp_path / "cli"))
    return _SEEN["cli", name]


async def _editor(name: str, tmp_path: Path, start: Starter) -> Found:
    if ("editor", name) not in _SEEN:
        root = copy_project(name, tmp_path / "editor")
        s = await start(folders=[root], notebooks=True)
        await s.log_containing("unleak: indexed")
        _SEEN["editor", name] = await editor_findings(s, root)
    return _SEEN["editor", name]


@pytest.mark.parametrize("name", NAMES)
async def test_cli_reports_exactly_the_marked_findings(tmp_path: Path, name: str) -> None:
    marked = expected(PROJECTS / name)
    assert marked, "a fixture project marks its findings"
    assert await _cli(name, tmp_path) == marked


@pytest.mark.parametrize("name", NAMES)
async def test_editor_reports_exactly_the_marked_findings(
    start: Starter, tmp_path: Path, name: str
) -> None:
    assert await _editor(name, tmp_path, start) == expected(PROJECTS / name)


@pytest.mark.parametrize("name", NAMES)
async def test_cli_and_editor_agree(start: Starter, tmp_path: Path, name: str) -> None:
    cli = await _cli(name, tmp_path)
    editor = await _editor(name, tmp_path, start)
    assert cli == editor, {"cli only": cli - editor, "editor only": editor - cli}


def _misses() -> list[Any]:
    out = []
    for name in NAMES:
        for key, why in sorted(markers(PROJECTS / name)[1].items()):
            mark = pytest.mark.xfail(strict=True, reason=f"engine misses it today: {why}")
            out.append(pytest.param(name, key, id=f"{name}:{key[0]}:{key[2]}", marks=mark))
    return out


# Not "name": the fix corpus's session fixture collects every item's "name" parameter, and an
# empty parameter set (no known misses) gives a placeholder that is no name.
@pytest.mark.parametrize(("project", "key"), _misses())
async def test_known_misses(tmp_path: Path, project: str, key: Key) -> None:
    """Expected findings the engine misses (strict: one found at last must lose its mark)."""
    assert key in await _cli(project, tmp_path)


def summary_of(published: list[types.Diagnostic]) -> list[tuple[int, str]]:
    return sorted((d.range.start.line + 1, str(d.code)) for d in published)


async def newest(s: Session, uri: str, after: int) -> list[tuple[int, str]]:
    hits = [p for p in s.published[after:] if p.uri == uri]
    return summary_of(hits[-1].diagnostics) if hits else []


async def test_an_edited_dependency_updates_its_importers(start: Starter, tmp_path: Path) -> None:
    root = copy_project("warehouse", tmp_path)
    s = await start(folders=[root])
    await s.log_containing("unleak: indexed")
    service = (root / "app" / "service.py").as_uri()
    s.open(service, (root / "app" / "service.py").read_text(encoding="utf-8"))
    before = summary_of(await s.diagnostics(service, 1))
    assert (8, "UL101") in before and (36, "UL101") in before
    # The factory re-exported as `open_db` stops returning a connection: `count` is clean.
    db = (root / "store" / "db.py").as_uri()
    db_text = (root / "store" / "db.py").read_text(encoding="utf-8")
    s.open(db, db_text)
    seen = len(s.published)
    s.replace_all(db, db_text.replace("    return sqlite3.connect(path)\n", "    return path\n"))

    async def without(line: int) -> bool:
        return (line, "UL101") not in await newest(s, service, seen)

    await wait_until_async(lambda: without(8), "service.py analysed again", s, service, seen)
    assert (36, "UL101") in await newest(s, service, seen)

    # Closed unsaved, the module is indexed from disk again: `count` leaks again.
    seen = len(s.published)
    s.close(db)

    async def with_(line: int) -> bool:
        return (line, "UL101") in await newest(s, service, seen)

    await wait_until_async(lambda: with_(8), "service.py analysed again", s, service, seen)
    # A file that is not open changes on disk: `connect_ro` returns its argument.
    files = root / "store" / "db.py"
    files.write_text(db_text.replace("    return _tune(path)\n", "    return path\n"), "utf-8")
    seen = len(s.published)
    s.client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            [types.FileEvent(files.as_uri(), types.FileChangeType.Changed)]
        )
    )
    await wait_until_async(lambda: without(36), "service.py analysed again", s, service, seen)
    # The file on disk still has the factory: `count` leaks again.
    assert (8, "UL101") in await newest(s, service, seen)


async def wait_until_async(check, what: str, s: Session, uri: str, after: int) -> None:  # type: ignore[no-untyped-def]
    import asyncio
    import time

    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if any(p.uri == uri for p in s.published[after:]) and await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}: {s.published[after:]}")


_ = wait_until  # the synchronous predicate helper of the other tests


async def test_a_large_folder_is_summarised_in_a_child_process(
    start: Starter, tmp_path: Path
) -> None:
    """From `CHILD_THRESHOLD` files to summarise, a build summarises them in another process
    (the server's threads keep the interpreter lock to themselves); the index is the same."""
    from unleak.lsp.indexing import CHILD_THRESHOLD

    root = tmp_path / "big"
    (root / "pkg").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[tool.unleak]\n", encoding="utf-8")
    (root / "pkg" / "__init__.py").write_text("", encoding="utf-8")
    (root / "pkg" / "db.py").write_text(
        "import sqlite3\n\n\ndef connect_db(p):\n    return sqlite3.connect(p)\n", "utf-8"
    )
    for n in range(CHILD_THRESHOLD):
        (root / "pkg" / f"m{n}.py").write_text(f"def f{n}():\n    return {n}\n", "utf-8")
    user = root / "pkg" / "use.py"
    user.write_text(
        "from .db import connect_db\n\n\ndef rows(p):\n    conn = connect_db(p)\n"
        "    return conn.execute('select 1').fetchall()\n",
        "utf-8",
    )
    s = await start(folders=[root])
    indexed = (await s.log_containing("unleak: indexed")).message
    total = CHILD_THRESHOLD + 3
    assert f"unleak: indexed {total} files" in indexed
    assert f"({total} summarised in a child process)" in indexed
    s.open(user.as_uri(), user.read_text(encoding="utf-8"))
    assert (5, "UL101") in summary_of(await s.diagnostics(user.as_uri(), 1))
