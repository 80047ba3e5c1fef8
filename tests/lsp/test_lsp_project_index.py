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

import pytest
from lsprotocol import types

from .conftest import TIMEOUT, Session, Starter, wait_until

pytestmark = pytest.mark.asyncio

PROJECTS = Path(__file__).parents[1] / "fixtures" / "projects"
MARKER = re.compile(r"#\s*error:(?P<rest>.*)$")
CODE = re.compile(r"\bUL\d{3}\b")
Found = set[tuple[str, int, str]]  # (path relative to the project, line, code)


def expected(root: Path) -> Found:
    out: Found = set()
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            m = MARKER.search(line)
            if m is not None:
                out.update((rel, number, code) for code in CODE.findall(m.group("rest")))
    return out


def cli_findings(root: Path) -> Found:
    proc = subprocess.run(
        [sys.executable, "-m", "unleak", "check", "--format", "json", "--no-cache", "."],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode in (0, 1), proc.stderr
    return {(f["path"], f["line"], f["code"]) for f in json.loads(proc.stdout)}


async def editor_findings(s: Session, root: Path) -> Found:
    out: Found = set()
    for path in sorted(root.rglob("*.py")):
        uri = path.as_uri()
        s.open(uri, path.read_text(encoding="utf-8"))
        for d in await s.diagnostics(uri, 1):
            out.add((path.relative_to(root).as_posix(), d.range.start.line + 1, str(d.code)))
        s.close(uri)
    return out


def copy_project(name: str, tmp_path: Path) -> Path:
    root = tmp_path / name
    shutil.copytree(PROJECTS / name, root)
    return root


@pytest.mark.parametrize("name", sorted(p.name for p in PROJECTS.iterdir() if p.is_dir()))
async def test_cli_and_editor_report_exactly_the_marked_findings(
    start: Starter, tmp_path: Path, name: str
) -> None:
    root = copy_project(name, tmp_path)
    marked = expected(root)
    assert marked, "a fixture project marks its findings"
    assert cli_findings(root) == marked
    s = await start(folders=[root])
    await s.log_containing("unleak: indexed")
    assert await editor_findings(s, root) == marked


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
