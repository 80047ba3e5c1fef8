"""The cache makes re-runs cheap and is never wrong; many files go to worker processes."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import unleak.cli.analysis
from unleak.cli import runner
from unleak.settings import Settings

from .helpers import CLEAN, LEAK, RunCli, run_subprocess, write

STATS = re.compile(
    r"unleak: (\d+) files?, (\d+) from cache, (\d+) analysed, (\d+) worker process(?:es)?"
)


def stats(err: str) -> tuple[int, int, int, int]:
    match = STATS.search(err)
    assert match, err
    files, cached, analysed, workers = (int(g) for g in match.groups())
    return files, cached, analysed, workers


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every file the engine is actually asked to analyse (in-process, serial runs)."""
    calls: list[str] = []
    real = unleak.cli.analysis.analyse_source

    def analyse_source(
        text: str, path: str, settings: Settings, module_name: str, **kwargs: Any
    ) -> object:
        calls.append(path)
        return real(text, path, settings, module_name, **kwargs)

    monkeypatch.setattr(unleak.cli.analysis, "analyse_source", analyse_source)
    return calls


@pytest.mark.engine
def test_second_run_reads_from_cache(cli: RunCli, project: Path, counted: list[str]) -> None:
    write(project, {"a.py": LEAK, "b.py": CLEAN, "c.py": "x = 1\n"})
    first = cli("check", "-v")
    assert stats(first.err) == (3, 0, 3, 0)
    assert sorted(counted) == ["a.py", "b.py", "c.py"]
    counted.clear()
    second = cli("check", "-v")
    assert stats(second.err) == (3, 3, 0, 0)
    assert counted == []
    assert (second.code, second.out) == (first.code, first.out)  # same answer from the cache
    assert second.out.startswith("a.py:2:9: UL101 ")


@pytest.mark.engine
def test_changed_file_is_analysed_again(cli: RunCli, project: Path, counted: list[str]) -> None:
    write(project, {"a.py": CLEAN, "b.py": CLEAN})
    assert cli("check").code == 0
    counted.clear()
    write(project, {"a.py": LEAK})
    result = cli("check", "-v")
    assert counted == ["a.py"]
    assert stats(result.err) == (2, 1, 1, 0)
    assert result.code == 1 and result.out.startswith("a.py:2:9: UL101 ")


@pytest.mark.engine
def test_changed_settings_miss_the_cache(cli: RunCli, project: Path, counted: list[str]) -> None:
    write(project, {"a.py": LEAK})
    assert cli("check").code == 1
    assert cli("check", "--ignore", "UL101").code == 0
    assert counted == ["a.py", "a.py"]
    write(project, {"pyproject.toml": '[tool.unleak]\nseverity = { UL101 = "error" }\n'})
    assert '"severity": "error"' in cli("check", "--format", "json").out


@pytest.mark.engine
def test_corrupt_cache_is_ignored(cli: RunCli, project: Path) -> None:
    write(project, {"a.py": LEAK})
    expected = cli("check").out
    files = list((project / ".unleak_cache").glob("results-*.json"))  # beside index-*.json
    assert len(files) == 1
    files[0].write_text('{"build": 1, "files": "garbage"')
    result = cli("check", "-v")
    assert result.out == expected
    assert stats(result.err) == (1, 0, 1, 0)
    assert stats(cli("check", "-v").err) == (1, 1, 0, 0)  # rewritten whole


@pytest.mark.engine
def test_no_cache_and_cache_dir(
    cli: RunCli, project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    write(project, {"a.py": LEAK})
    assert stats(cli("check", "--no-cache", "-v").err) == (1, 0, 1, 0)
    assert not (project / ".unleak_cache").exists()
    elsewhere = tmp_path_factory.mktemp("cache")
    cli("check", "--cache-dir", str(elsewhere))
    assert stats(cli("check", "--cache-dir", str(elsewhere), "-v").err) == (1, 1, 0, 0)
    assert not (project / ".unleak_cache").exists()
    assert (elsewhere / "CACHEDIR.TAG").is_file()


@pytest.mark.engine
def test_cached_rerun_in_a_subprocess(project: Path) -> None:
    write(project, {f"pkg/m{i:03}.py": LEAK + CLEAN.replace("f(", f"g{i}(") for i in range(200)})
    cold = run_subprocess(["check", "-v"], project)
    warm = run_subprocess(["check", "-v"], project)
    assert stats(cold.err) == (200, 0, 200, stats(cold.err)[3])
    assert stats(warm.err) == (200, 200, 0, 0)
    assert warm.out == cold.out and warm.code == cold.code == 1
    assert warm.out.count("UL101") == 200


@pytest.mark.engine
def test_many_files_use_workers_with_deterministic_output(project: Path) -> None:
    count = runner.PARALLEL_THRESHOLD * 3
    files = {f"d{i % 4}/m{i:02}.py": (LEAK if i % 3 == 0 else CLEAN) for i in range(count)}
    write(project, files)
    parallel = run_subprocess(["check", "--no-cache", "-j", "2", "-v"], project)
    serial = run_subprocess(["check", "--no-cache", "-j", "1", "-v"], project)
    assert stats(parallel.err) == (count, 0, count, 2)
    assert stats(serial.err) == (count, 0, count, 0)
    assert parallel.out == serial.out
    assert parallel.code == serial.code == 1
    reported = [line.split(":")[0] for line in parallel.out.splitlines() if "UL101" in line]
    assert reported == sorted(p for p, src in files.items() if src == LEAK)


def test_few_files_run_serially(cli: RunCli, project: Path) -> None:
    write(project, {f"m{i}.py": "x = 1\n" for i in range(runner.PARALLEL_THRESHOLD)})
    assert stats(cli("check", "--no-cache", "-j", "8", "-v").err)[3] == 0


@pytest.mark.engine
@pytest.mark.parametrize("due", [1, unleak.cli.analysis.YOUNG_OBJECTS_DUE])
def test_garbage_collection_between_files(
    cli: RunCli, project: Path, monkeypatch: pytest.MonkeyPatch, due: int
) -> None:
    """The collector is held off while a file is analysed (its syntax tree would be traversed
    by every collection its analysis triggers); the young generations are collected after a
    file once `YOUNG_OBJECTS_DUE` objects piled up, and the automatic collector waits as long
    (a small check collects nothing); it is on again after, with its thresholds."""
    import gc

    monkeypatch.setattr(unleak.cli.analysis, "YOUNG_OBJECTS_DUE", due)
    thresholds = gc.get_threshold()

    enabled_during: list[bool] = []
    real = unleak.cli.analysis.analyse_source

    def analyse_source(
        text: str, path: str, settings: Settings, module_name: str, **kwargs: Any
    ) -> object:
        enabled_during.append(gc.isenabled())
        return real(text, path, settings, module_name, **kwargs)

    monkeypatch.setattr(unleak.cli.analysis, "analyse_source", analyse_source)
    collections: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "stop" and info["generation"] == 1:
            collections.append(info["generation"])

    write(project, {"a.py": LEAK, "b.py": CLEAN})
    gc.callbacks.append(count)
    try:
        result = cli("check", "--no-cache")
    finally:
        gc.callbacks.remove(count)
    assert result.out.startswith("a.py:2:9: UL101 ")
    assert enabled_during == [False, False]
    assert len(collections) >= 2 if due == 1 else not collections
    assert gc.isenabled()
    assert gc.get_threshold() == thresholds


FACTORY = "import sqlite3\n\n\ndef connect(p):\n    return sqlite3.connect(p)\n"
USER = "from pkg.db import connect\n\n\ndef f(p):\n    c = connect(p)\n    return c.total_changes\n"


@pytest.mark.engine
def test_an_unchanged_project_is_not_linked_again(
    cli: RunCli, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run whose files all come from the cache, as in the run that saved it, has the same
    views of the project index: it does not read the summaries and link them again."""
    write(project, {"pkg/__init__.py": "", "pkg/db.py": FACTORY, "pkg/use.py": USER})
    linked: list[int] = []
    real = runner.project_views

    def project_views(*args: Any, **kwargs: Any) -> Any:
        linked.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(runner, "project_views", project_views)
    first = cli("check")
    assert "pkg/use.py:5:9: UL101 " in first.out
    assert (cli("check").out, len(linked)) == (first.out, 1)
    # Another set of files links its own index, and so does the whole project after it.
    cli("check", "pkg/use.py")
    assert (cli("check").out, len(linked)) == (first.out, 3)
    assert (cli("check").out, len(linked)) == (first.out, 3)
    # A changed module: linked again, and its importer's view changed with it.
    write(project, {"pkg/db.py": "def connect(p):\n    return p\n"})
    assert "UL101" not in cli("check").out
    assert len(linked) == 4
