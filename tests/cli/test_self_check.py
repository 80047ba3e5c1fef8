"""unleak on unleak: `unleak check` at the repository root finds nothing, so `--fix` there
changes nothing. Deliberately leaky fixtures are excluded in pyproject.toml's [tool.unleak];
a finding in our own code is to be fixed, not excluded."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from .helpers import run_subprocess

ROOT = Path(__file__).resolve().parents[2]


def _untracked(paths: set[str]) -> set[str]:
    """Those of `paths` git does not track: another engineer's work in progress, which CI
    (a fresh clone) never sees. Without git, none are: every finding counts."""
    git = shutil.which("git")
    if git is None or not (ROOT / ".git").exists():
        return set()
    listed = subprocess.run(
        [git, "ls-files", "--", *sorted(paths)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if listed.returncode != 0:
        return set()
    return paths - set(listed.stdout.splitlines())


def test_unleak_finds_nothing_in_its_own_repository() -> None:
    result = run_subprocess(["check", "--no-cache", "--format", "json"], ROOT, timeout=600)
    items = json.loads(result.out)
    tracked = [i for i in items if i["path"] not in _untracked({i["path"] for i in items})]
    shown = "\n".join(f"{i['path']}:{i['line']}: {i['code']} {i['message']}" for i in tracked)
    assert tracked == [], f"fix these (or exclude a deliberately leaky fixture):\n{shown}"
    # Exit 1 only for findings in untracked files; anything else (2: a path that could not
    # be checked, a bad configuration) fails.
    assert result.code in ({0, 1} if len(items) > len(tracked) else {0}), result.err


def test_the_example_project_still_reports_its_leaks() -> None:
    """examples/ is excluded from the repository's check, not from its own."""
    result = run_subprocess(["check", "--no-cache", "examples/"], ROOT)
    assert result.code == 1, result.err
    assert "examples/logarchiver/archive.py:" in result.out
