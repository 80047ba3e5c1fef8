"""Files that cannot be checked: one clear line each, the right exit code, never a traceback."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
import unleak.cli.analysis
from unleak.cli import runner
from unleak.pipeline.api import ModuleReport

from .helpers import LEAK, RunCli, no_traceback, run_subprocess, write


def error_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if ": error: " in line]


@pytest.mark.engine
def test_missing_explicit_path_exits_2_and_others_are_still_checked(
    cli: RunCli, project: Path
) -> None:
    write(project, {"a.py": LEAK})
    result = cli("check", "nope.py", "a.py", "missing_dir")
    assert result.code == 2
    assert error_lines(result.err) == [
        "nope.py: error: No such file or directory",
        "missing_dir: error: No such file or directory",
    ]
    assert result.out.startswith("a.py:2:9: UL101 ")


@pytest.mark.engine
def test_non_utf8_file(project: Path) -> None:
    write(project, {"latin.py": "s = 'caf\xe9'\n".encode("latin-1"), "a.py": LEAK})
    result = run_subprocess(["check"], project)
    assert result.code == 2
    (line,) = error_lines(result.err)
    assert line.startswith("latin.py: error: cannot decode source")
    assert "a.py:2:9: UL101" in result.out
    assert no_traceback(result)


@pytest.mark.engine
def test_coding_cookie_is_honoured(cli: RunCli, project: Path) -> None:
    write(project, {"latin.py": "# -*- coding: latin-1 -*-\ns = 'caf\xe9'\n".encode("latin-1")})
    result = cli("check")
    assert (result.code, result.err) == (0, "")


def test_nul_bytes(cli: RunCli, project: Path) -> None:
    write(project, {"nul.py": b"x = 1\x00\n"})
    result = cli("check")
    assert result.code == 2
    assert error_lines(result.err) == [
        "nul.py: error: file contains NUL bytes; it is not Python source"
    ]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads anything")
def test_unreadable_file_subprocess(project: Path) -> None:
    write(project, {"secret.py": LEAK})
    (project / "secret.py").chmod(0)
    try:
        result = run_subprocess(["check"], project)
    finally:
        (project / "secret.py").chmod(0o644)
    assert result.code == 2
    assert error_lines(result.err) == ["secret.py: error: cannot read file: Permission denied"]


def test_unreadable_file(cli: RunCli, project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(project, {"secret.py": LEAK, "ok.py": "x = 1\n"})
    real = open

    def guarded_open(file: str, *args: object, **kwargs: object) -> object:
        if Path(file).name == "secret.py":
            raise PermissionError(13, "Permission denied", file)
        return real(file, *args, **kwargs)  # type: ignore[call-overload]

    # Workers read the files (the check runs serially here: two files).
    monkeypatch.setattr(unleak.cli.analysis, "open", guarded_open, raising=False)
    result = cli("check")
    assert result.code == 2
    assert error_lines(result.err) == ["secret.py: error: cannot read file: Permission denied"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_named_explicitly_does_not_hang(project: Path) -> None:
    os.mkfifo(project / "pipe.py")
    result = run_subprocess(["check", "pipe.py"], project, timeout=30)
    assert result.code == 2
    assert error_lines(result.err) == ["pipe.py: error: not a regular file"]


@pytest.mark.engine
def test_huge_file(project: Path) -> None:
    chunk = "def f{i}(p):\n    with open(p) as f:\n        return f.read()\n\n"
    source = "".join(chunk.format(i=i) for i in range(25_000))
    assert source.count("\n") == 100_000
    write(project, {"huge.py": source + LEAK})
    result = run_subprocess(["check", "--no-cache", "--format", "json"], project, timeout=300)
    assert result.code == 1, result.err
    assert '"line": 100002' in result.out
    assert no_traceback(result)


DEEP = {
    "unary.py": "x = " + "-" * 100_000 + "1\n",  # MemoryError in CPython 3.11's parser
    "binop.py": "x = " + "+".join(["1"] * 100_000) + "\n",  # RecursionError building the AST
    "parens.py": "x = " + "(" * 300 + "1" + ")" * 300 + "\n",  # "too many nested parentheses"
    "lists.py": "x = " + "[" * 180 + "]" * 180 + "\n",  # parses; deep for a recursive engine
}


@pytest.mark.engine
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_deeply_nested_expressions(project: Path, jobs: str) -> None:
    write(project, {**DEEP, "a.py": LEAK})
    # -j2 with more files than the serial threshold exercises the worker processes too.
    extra = {f"z{i:02}.py": "x = 1\n" for i in range(runner.PARALLEL_THRESHOLD + 1)}
    write(project, extra if jobs == "2" else {})
    result = run_subprocess(["check", "--no-cache", "-j", jobs], project, timeout=300)
    assert no_traceback(result), result.err
    assert result.code in (1, 2)
    # Each deep file either gets a finding (UL001) or one error line; the good file is checked.
    for name in DEEP:
        errors = [line for line in error_lines(result.err) if line.startswith(name)]
        findings = [line for line in result.out.splitlines() if line.startswith(name)]
        assert len(errors) <= 1 and (errors or findings or name == "lists.py"), name
    assert "a.py:2:9: UL101" in result.out


def test_recursion_and_memory_errors_are_per_file(
    cli: RunCli, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def analyse_source(
        text: str, path: str, settings: object, module: str, **kwargs: object
    ) -> ModuleReport:
        if path == "rec.py":
            raise RecursionError("maximum recursion depth exceeded")
        if path == "mem.py":
            raise MemoryError
        return ModuleReport([])

    monkeypatch.setattr(unleak.cli.analysis, "analyse_source", analyse_source)
    write(project, {"rec.py": "x = 1\n", "mem.py": "x = 1\n", "ok.py": "x = 1\n"})
    result = cli("check")
    assert result.code == 2
    assert error_lines(result.err) == [
        "mem.py: error: too deeply nested to analyse (out of memory)",
        "rec.py: error: too deeply nested to analyse (recursion limit reached)",
    ]


def _boom(text: str, path: str, settings: object, module: str, **kwargs: object) -> ModuleReport:
    if path.startswith("bad"):
        raise ValueError("engine bug")
    return ModuleReport([])


@pytest.mark.parametrize("count", [1, runner.PARALLEL_THRESHOLD + 4])
def test_internal_error_in_one_file(
    cli: RunCli, project: Path, monkeypatch: pytest.MonkeyPatch, count: int
) -> None:
    if count > 1 and sys.platform != "linux":
        pytest.skip("workers only see the monkeypatch when forked")
    monkeypatch.setattr(unleak.cli.analysis, "analyse_source", _boom)
    write(project, {f"ok{i:02}.py": "x = 1\n" for i in range(count)})
    write(project, {"bad.py": "x = 1\n"})
    result = cli("check", "-j", "2", "--no-cache")
    assert result.code == 2
    assert error_lines(result.err) == ["bad.py: error: internal error: ValueError: engine bug"]
    assert "1 file could not be checked." in result.out


def _crash(text: str, path: str, settings: object, module: str, **kwargs: object) -> ModuleReport:
    if path == "crash.py":
        os._exit(3)  # what a segfault in the interpreter looks like to the pool
    return ModuleReport([])


@pytest.mark.skipif(sys.platform != "linux", reason="workers see the monkeypatch when forked")
def test_a_crashing_worker_costs_one_file(
    cli: RunCli, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(unleak.cli.analysis, "analyse_source", _crash)
    write(project, {f"ok{i:02}.py": "x = 1\n" for i in range(runner.PARALLEL_THRESHOLD + 4)})
    write(project, {"crash.py": "x = 1\n"})
    result = cli("check", "-j", "2", "--no-cache")
    assert result.code == 2
    assert error_lines(result.err) == [
        "crash.py: error: internal error: the worker process crashed"
    ]


def test_no_python_files(cli: RunCli, project: Path) -> None:
    result = cli("check")
    assert result.code == 0
    assert result.err == "unleak: warning: no Python files found\n"


def test_no_python_files_but_some_ignored(cli: RunCli, project: Path) -> None:
    # Everything under a .gitignore'd directory: say why nothing was found, and how to check it.
    write(project, {".gitignore": "work/\n", "work/src/a.py": "f = open('x')\n"})
    result = cli("check")
    assert result.code == 0
    assert result.err == (
        "unleak: warning: no Python files found (1 path left out by a .gitignore or the"
        " `exclude` setting; name a file to check it anyway)\n"
    )
    assert "UL101" in cli("check", "work/src/a.py").out
    # A directory named under the ignored one is checked, as a named file is (and as ruff does).
    named = cli("check", "work/src")
    assert named.code == 1 and named.out.startswith("work/src/a.py:1:5: UL101 "), named.err


def test_a_directory_that_cannot_be_read(
    cli: RunCli, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(project, {"locked/a.py": "x = 1\n", "ok.py": "x = 1\n"})
    real = os.scandir

    def scandir(path: str) -> object:
        if os.path.basename(path) == "locked":
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    result = cli("check")
    assert result.code == 2
    assert error_lines(result.err) == ["locked: error: cannot read directory: Permission denied"]


@pytest.mark.engine
def test_warnings_from_parsing_user_code_are_not_ours(project: Path) -> None:
    write(project, {"esc.py": 'import re\nPATTERN = re.compile("\\d+")\n'})
    result = run_subprocess(["check", "--no-cache"], project, env={"PYTHONWARNINGS": "error"})
    assert (result.code, result.out, result.err) == (0, "All checks passed!\n", "")


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_a_dangling_python_symlink_in_a_directory_is_not_checked_and_said(
    cli: RunCli, project: Path
) -> None:
    """As ruff says it: a `.py` entry of the tree that cannot be read is not silently left out
    (nor is it 'All checks passed!'); other dangling links and ignored ones are not files to
    check."""
    write(project, {"a.py": "x = 1\n", ".gitignore": "old.py\n"})
    for name in ("gone.py", "old.py", "notes.txt"):
        os.symlink(project / "nowhere" / name, project / name)
    result = cli("check", "--no-cache", ".")
    assert result.code == 2
    assert error_lines(result.err) == [
        "gone.py: error: cannot read file: No such file or directory"
    ]
    assert result.out == "1 file could not be checked.\n"


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_a_python_symlink_in_a_loop_is_not_checked_and_said(cli: RunCli, project: Path) -> None:
    """A link that cannot be followed because it is part of a loop is said as a dangling one
    is: its stat raises (ELOOP) where a dangling link's says it does not exist, and the walk
    used to drop it without a word."""
    write(project, {"a.py": "x = 1\n"})
    os.symlink("loop_b.py", project / "loop_a.py")
    os.symlink("loop_a.py", project / "loop_b.py")
    os.symlink("loop_d", project / "loop_c")
    os.symlink("loop_c", project / "loop_d")
    result = cli("check", "--no-cache", ".")
    assert result.code == 2
    assert [line.split(": error: ")[0] for line in error_lines(result.err)] == [
        "loop_a.py",
        "loop_b.py",
    ]
    assert all("cannot read file" in line for line in error_lines(result.err))
    assert result.out == "2 files could not be checked.\n"
