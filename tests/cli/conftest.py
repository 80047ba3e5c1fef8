"""Fixtures to run the real CLI in-process on throw-away projects."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from .helpers import SERVER, Result, RunCli

if str(SERVER) not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(SERVER))

from unleak.cli.main import main


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "engine: asserts on the real engine's findings (fails if they are wrong)"
    )


@pytest.fixture
def cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> RunCli:
    """Run ``main([...])`` in-process in ``cwd`` (default: the test's tmp_path)."""

    def run(*args: str, cwd: Path | None = None, stdin: bytes = b"") -> Result:
        monkeypatch.chdir(cwd or tmp_path)
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
        capsys.readouterr()
        code = main(list(args))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """An empty project whose (empty) ``[tool.unleak]`` stops the search for configuration."""
    (tmp_path / "pyproject.toml").write_text("[tool.unleak]\n", encoding="utf-8")
    return tmp_path
