"""Fixtures: a temporary project holding a copy of the leaky fixture programs."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from .helpers import FIXTURES, Traced, run_trace

collect_ignore = ["fixtures"]  # the leaky pytest suite runs only under unleak trace


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("traced")
    shutil.copytree(FIXTURES, root, dirs_exist_ok=True)
    (root / "pyproject.toml").write_text("[tool.unleak]\n", encoding="utf-8")
    (root / "data.txt").write_text("some data\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def trace(project: Path) -> Callable[..., Traced]:
    """``trace(python, "script.py", *args)``: run a command in the fixture project."""

    def run(*command: str, options: Sequence[str] = (), output: str = "report.json") -> Traced:
        return run_trace(project, command, *options, output_name=output)

    return run
