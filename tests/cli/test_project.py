"""Analysis across the modules of a project: exports found in pass 1 make calls in other
modules acquisitions in pass 2; the cache keeps both passes' results honest."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import unleak.cli.analysis
from unleak.cli import runner
from unleak.cli.modules import ModuleNamer
from unleak.pipeline.api import ModuleReport
from unleak.settings import Settings

from .helpers import LEAK, SERVER, RunCli, write
from .test_cache_and_workers import stats

FACTORY = "import sqlite3\n\n\ndef connect_db(p):\n    return sqlite3.connect(p)\n"
NOT_A_FACTORY = "import sqlite3\n\n\ndef connect_db(p):\n    return str(p)\n"
USER = (
    "from .db import connect_db\n\n\n"
    "def rows(p):\n    conn = connect_db(p)\n    return conn.execute('select 1').fetchall()\n"
)
PACKAGE = {
    "pkg/__init__.py": "",
    "pkg/db.py": FACTORY,
    "pkg/use.py": USER,
    "pkg/other.py": "def g():\n    return 1\n",
}


@pytest.fixture
def analysed(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, bool]]:
    """(path, module name, analysed with other modules' exports) for every engine call:
    exports given in the settings (the second pass) or found for the module's summary in the
    part of the index known by then (the first pass, `view_of`)."""
    calls: list[tuple[str, str, bool]] = []
    real = unleak.cli.analysis.analyse_source

    def analyse_source(
        text: str, path: str, settings: Settings, module_name: str, **kwargs: Any
    ) -> ModuleReport:
        report: ModuleReport = real(text, path, settings, module_name, **kwargs)
        calls.append((path, module_name, bool(settings.external_summaries or report.view)))
        return report

    monkeypatch.setattr(unleak.cli.analysis, "analyse_source", analyse_source)
    return calls


def age(root: Path, *names: str) -> None:
    """Make files look old, so the cache trusts their size and mtime (no re-hashing)."""
    old = (os.stat(root / names[0]).st_mtime_ns // 10**9 - 3600) * 10**9
    for name in names:
        os.utime(root / name, ns=(old, old))


@pytest.mark.engine
def test_call_of_a_factory_in_another_module_is_an_acquisition(
    cli: RunCli, project: Path, analysed: list[tuple[str, str, bool]]
) -> None:
    write(project, PACKAGE)
    result = cli("check", "-v")
    assert result.code == 1
    assert result.out.startswith("pkg/use.py:5:12: UL101 The sqlite3 connection `conn`")
    assert "pkg/db.py" not in result.out
    assert stats(result.err) == (4, 0, 4, 0)
    # Each file is analysed once: the factory's module before its importer (the import
    # order), so the importer has its view of the index from the first pass on.
    assert "0 analysed again" in result.err
    assert sorted(analysed) == [
        ("pkg/__init__.py", "pkg", False),
        ("pkg/db.py", "pkg.db", False),
        ("pkg/other.py", "pkg.other", False),
        ("pkg/use.py", "pkg.use", True),
    ]


@pytest.mark.engine
def test_without_the_factory_module_there_is_no_finding(cli: RunCli, project: Path) -> None:
    write(project, PACKAGE)
    result = cli("check", "pkg/use.py", "pkg/other.py")
    assert (result.code, result.out) == (0, "All checks passed!\n")


@pytest.mark.engine
def test_editing_the_factory_updates_its_importers_from_the_cache(
    cli: RunCli, project: Path, analysed: list[tuple[str, str, bool]]
) -> None:
    write(project, PACKAGE)
    age(project, *PACKAGE)
    assert cli("check").code == 1
    analysed.clear()
    second = cli("check", "-v")  # all from the cache, pass 2's finding included
    assert second.out.startswith("pkg/use.py:5:12: UL101")
    assert stats(second.err) == (4, 4, 0, 0) and analysed == []

    write(project, {"pkg/db.py": NOT_A_FACTORY})
    third = cli("check", "-v")
    assert (third.code, third.out) == (0, "All checks passed!\n")
    # The factory's module changed; its importer is analysed again because the exports it
    # was given changed; untouched files come from the cache.
    assert sorted(analysed) == [("pkg/db.py", "pkg.db", False), ("pkg/use.py", "pkg.use", False)]
    assert stats(third.err) == (4, 2, 2, 0)

    analysed.clear()
    write(project, {"pkg/db.py": FACTORY})  # and back: the finding returns
    fourth = cli("check", "-v")
    assert fourth.out.startswith("pkg/use.py:5:12: UL101")
    assert sorted(analysed) == [("pkg/db.py", "pkg.db", False), ("pkg/use.py", "pkg.use", True)]
    analysed.clear()
    assert cli("check").out == fourth.out and analysed == []


@pytest.mark.engine
def test_unchanged_files_are_not_read_and_same_size_edits_are_seen(
    cli: RunCli,
    project: Path,
    analysed: list[tuple[str, str, bool]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    leak = "def f(p):\n    f = open(p)\n    return f.read()\n"
    write(project, {"a.py": leak, "b.py": "x = 1\n"})
    age(project, "a.py", "b.py")
    assert cli("check").code == 1

    def no_hashing(path: str, digest: str) -> bool:
        raise AssertionError(f"{path} was read")

    monkeypatch.setattr(runner, "_content_matches", no_hashing)
    assert stats(cli("check", "-v").err) == (2, 2, 0, 0)
    monkeypatch.undo()

    # Same size, new mtime: hashed, found changed, analysed again.
    same_size = leak.replace("open(p)", "oqen(p)")
    before = os.stat(project / "a.py")
    (project / "a.py").write_text(same_size, encoding="utf-8")
    os.utime(project / "a.py", ns=(before.st_atime_ns, before.st_mtime_ns + 10**9))
    assert os.stat(project / "a.py").st_size == before.st_size
    result = cli("check", "-v")
    assert (result.code, result.out) == (0, "All checks passed!\n")
    assert stats(result.err) == (2, 1, 1, 0)


def test_module_names(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "src/pkg/__init__.py": "",
            "src/pkg/sub/__init__.py": "",
            "src/pkg/sub/mod.py": "",
            "src/pkg/sub/stub.pyi": "",
            "src/pkg/scripts/run.py": "",  # no __init__.py: not part of the package
            "tool.py": "",
        },
    )
    namer = ModuleNamer()
    names = {
        name: namer.name(str(tmp_path / name))
        for name in (
            "src/pkg/sub/mod.py",
            "src/pkg/sub/stub.pyi",
            "src/pkg/sub/__init__.py",
            "src/pkg/__init__.py",
            "src/pkg/scripts/run.py",
            "tool.py",
        )
    }
    assert names == {
        "src/pkg/sub/mod.py": "pkg.sub.mod",
        "src/pkg/sub/stub.pyi": "pkg.sub.stub",
        "src/pkg/sub/__init__.py": "pkg.sub",
        "src/pkg/__init__.py": "pkg",
        "src/pkg/scripts/run.py": "run",
        "tool.py": "tool",
    }


@pytest.mark.engine
def test_stdin_is_single_file_with_its_module_name(
    cli: RunCli, project: Path, analysed: list[tuple[str, str, bool]]
) -> None:
    write(project, PACKAGE)
    result = cli("check", "--stdin-filename", "pkg/use.py", stdin=USER.encode())
    assert result.code == 0
    assert analysed == [("pkg/use.py", "pkg.use", False)]
    assert not (project / ".unleak_cache").exists()


@pytest.mark.engine
def test_a_cached_run_imports_no_engine_and_starts_no_workers(project: Path) -> None:
    write(project, {**PACKAGE, **{f"m{i:02}.py": "x = 1\n" for i in range(40)}})
    code = (
        "import sys\n"
        "from unleak.cli.main import main\n"
        "main(['check', '-q', '--exit-zero'])\n"
        "heavy = ['unleak.findings.module', 'unleak.pipeline.api', 'concurrent.futures.process']\n"
        "print([m for m in heavy if m in sys.modules])\n"
    )
    env = {**os.environ, "PYTHONPATH": str(SERVER)}

    def loaded() -> str:
        proc = subprocess.run(
            [sys.executable, "-c", code], cwd=project, env=env, capture_output=True, timeout=120
        )
        assert proc.returncode == 0, proc.stderr
        return proc.stdout.decode().splitlines()[-1]

    assert "unleak.findings.module" in loaded()  # cold: the engine ran
    assert loaded() == "[]"


@pytest.mark.engine
def test_fixes_are_checked_once_by_the_last_pass_that_analyses_a_file(
    cli: RunCli, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each file's fixes are checked once, with the view of the index its findings have: here
    every view is complete in pass 1 (the imports are analysed first)."""
    checked: list[str] = []
    real = unleak.cli.analysis.offered_fixes

    def offered_fixes(text: str, path: str, *args: Any, **kwargs: Any) -> object:
        report = args[2]  # (settings, module name, report, ...)
        if any(f.fix is not None for f in report.findings):
            checked.append(path)
        return real(text, path, *args, **kwargs)

    monkeypatch.setattr(unleak.cli.analysis, "offered_fixes", offered_fixes)
    fixable_user = USER.replace("return conn.execute('select 1').fetchall()", "return 1")
    fixable_user += "\n\ndef size(p):\n    f = open(p)\n    return len(f.read())\n"
    files = {
        **PACKAGE,
        "pkg/use.py": fixable_user,  # its view is not empty: pass 2
        "pkg/plain.py": "from . import other\n\n\n" + LEAK,  # imports, empty view
        "alone.py": LEAK,  # imports nothing of the project
    }
    write(project, files)
    result = cli("check", "-v")
    lines = result.out.splitlines()
    assert any(line.startswith("pkg/use.py:5:12: UL101 The sqlite3") for line in lines)
    assert any(line.startswith("pkg/use.py:10:9: UL101 [*]") for line in lines), result.out
    assert any(line.startswith("pkg/plain.py:5:9: UL101 [*]") for line in lines), result.out
    assert any(line.startswith("alone.py:2:9: UL101 [*]") for line in lines), result.out
    assert sorted(checked) == ["alone.py", "pkg/plain.py", "pkg/use.py"]
    # Cached once checked: the next run offers the same fixes without analysing anything.
    checked.clear()
    again = cli("check")
    assert again.out == result.out and checked == []


CYCLE = {
    "pkg/__init__.py": "",
    # Each imports the other at module level: no order puts both after their imports. The
    # bigger one goes first and sees nothing of the other's factory yet.
    "pkg/a.py": "from pkg import b\n\n\n"
    + "def rows(p):\n    conn = b.connect_db(p)\n    return conn.execute('select 1')\n"
    + "\n\ndef size(p):\n    f = open(p)\n    return len(f.read())\n",
    "pkg/b.py": "import sqlite3\nfrom pkg import a\n\n\n"
    + "def connect_db(p):\n    return sqlite3.connect(p)\n",
}


@pytest.mark.engine
def test_a_file_analysed_before_its_imports_is_analysed_again_and_its_fixes_checked_then(
    cli: RunCli, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[str] = []
    real = unleak.cli.analysis.offered_fixes

    def offered_fixes(text: str, path: str, *args: Any, **kwargs: Any) -> object:
        if any(f.fix is not None for f in args[2].findings):
            checked.append(path)
        return real(text, path, *args, **kwargs)

    monkeypatch.setattr(unleak.cli.analysis, "offered_fixes", offered_fixes)
    write(project, CYCLE)
    result = cli("check", "-v")
    lines = result.out.splitlines()
    assert any(line.startswith("pkg/a.py:5:12: UL101 The sqlite3") for line in lines), result.out
    assert any(line.startswith("pkg/a.py:10:9: UL101 [*]") for line in lines), result.out
    assert "1 analysed again with other modules' exports" in result.err
    assert checked == ["pkg/a.py"]  # in pass 2 only: pass 1's view was not complete


CHAIN = {
    "app/__init__.py": "",
    "app/low.py": "import socket\n\n\ndef dial(addr):\n    return socket.create_connection(addr)\n",
    "app/mid.py": "from app.low import dial\n\n\n"
    + "def open_link(host):\n    return dial((host, 80))\n",
    "app/top.py": "from app import mid\n\n\n"
    + "def ping(host):\n    s = mid.open_link(host)\n    s.sendall(b'x')\n",
    **{f"app/filler{i:02}.py": f"from app import mid\n\nVALUE = {i}\n" for i in range(20)},
}


@pytest.mark.engine
def test_workers_share_what_the_index_learns(cli: RunCli, project: Path) -> None:
    """In worker processes, each file still gets its view of the modules summarised by the
    other worker before it (a factory calling another module's factory, two modules away):
    the same answers as one process, and no file analysed twice."""
    write(project, CHAIN)
    parallel = cli("check", "--no-cache", "-j", "2", "-v")
    serial = cli("check", "--no-cache", "-j", "1")
    assert parallel.out == serial.out
    assert parallel.out.startswith("app/top.py:5:9: UL101 [*] The socket `s`"), parallel.out
    assert "2 worker processes, 0 analysed again" in parallel.err
