"""Paths that could not be checked (missing, unreadable directory, undecodable file): the text
summary says what happened and only that, and JSON and SARIF carry them for machine readers."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from .helpers import CLEAN, LEAK, RunCli, write


def test_a_missing_path_is_not_all_checks_passed(cli: RunCli, project: Path) -> None:
    write(project, {"a.py": CLEAN})
    result = cli("check", "a.py", "nope.py")
    assert result.code == 2
    assert result.err == "nope.py: error: No such file or directory\n"
    assert result.out == "1 path was not found.\n"


def test_diff_of_a_missing_path_says_only_the_error(cli: RunCli, project: Path) -> None:
    result = cli("check", "--diff", "nope.py")
    assert (result.code, result.out) == (2, "")
    assert result.err == "nope.py: error: No such file or directory\n"
    # With a file that was checked, the diff's own summary is still said.
    write(project, {"a.py": CLEAN})
    both = cli("check", "--diff", "a.py", "nope.py")
    assert both.code == 2
    assert both.err == "nope.py: error: No such file or directory\nNo fixes would be applied.\n"


def test_every_kind_of_failure_is_counted(
    cli: RunCli, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(project, {"a.py": CLEAN, "locked/b.py": CLEAN, "nul.py": b"x = 1\x00\n"})
    real = os.scandir

    def scandir(path: str) -> object:
        if os.path.basename(path) == "locked":
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    result = cli("check", "--no-cache", ".", "gone/", "nope.py")
    assert result.code == 2
    assert result.out.splitlines() == [
        "1 file could not be checked.",
        "2 paths were not found.",
        "1 directory could not be read.",
    ]


def test_quiet_prints_no_summary(cli: RunCli, project: Path) -> None:
    result = cli("check", "--quiet", "nope.py")
    assert (result.code, result.out) == (2, "")


def test_json_lists_what_could_not_be_checked(cli: RunCli, project: Path) -> None:
    write(project, {"a.py": CLEAN, "nul.py": b"x = 1\x00\n"})
    result = cli("check", "--no-cache", "--format", "json", "a.py", "nul.py", "nope.py")
    assert result.code == 2
    items = json.loads(result.out)
    blank = {"line": None, "column": None, "end_line": None, "end_column": None}
    assert items == [
        {
            "path": "nul.py",
            **blank,
            "code": None,
            "name": "not-checked",
            "message": "file contains NUL bytes; it is not Python source",
            "severity": "error",
            "fix": None,
            "related": [],
        },
        {
            "path": "nope.py",
            **blank,
            "code": None,
            "name": "not-checked",
            "message": "No such file or directory",
            "severity": "error",
            "fix": None,
            "related": [],
        },
    ]


def test_sarif_notifies_what_could_not_be_checked(cli: RunCli, project: Path) -> None:
    write(project, {"a.py": CLEAN})
    result = cli("check", "--format", "sarif", "a.py", "nope.py")
    assert result.code == 2
    (invocation,) = json.loads(result.out)["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    (note,) = invocation["toolExecutionNotifications"]
    assert note["level"] == "error"
    assert note["message"]["text"] == "nope.py: No such file or directory"
    location = note["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location["uri"] == "nope.py"


def test_github_annotates_a_missing_path(cli: RunCli, project: Path) -> None:
    result = cli("check", "--format", "github", "nope.py")
    assert result.code == 2
    assert result.out == (
        "::error file=nope.py,title=unleak::unleak could not check nope.py: "
        "No such file or directory\n"
    )


def test_statistics_count_what_could_not_be_checked(cli: RunCli, project: Path) -> None:
    write(project, {"a.py": LEAK, "nul.py": b"x = 1\x00\n"})
    text = cli("check", "--no-cache", "--statistics", "a.py", "nul.py", "nope.py")
    assert text.code == 2
    assert text.out.splitlines() == [
        "1\tUL101\tnot-released",
        "1 file could not be checked.",
        "1 path was not found.",
    ]
    data = cli(
        "check", "--no-cache", "--statistics", "--format", "json", "a.py", "nul.py", "nope.py"
    )
    assert data.code == 2
    assert json.loads(data.out) == [
        {"code": "UL101", "name": "not-released", "count": 1},
        {"code": None, "name": "not-checked", "count": 2},
    ]
    # Nothing checked at all: machine readers still see why the run failed.
    missing = cli("check", "--statistics", "--format", "json", "nope.py")
    assert json.loads(missing.out) == [{"code": None, "name": "not-checked", "count": 1}]
