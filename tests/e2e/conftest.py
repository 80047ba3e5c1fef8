"""Shared helpers of the end-to-end tests: where the tools are, where artefacts go, and
what a missing tool means (a skip locally, a failure under CI, which installs them with
scripts/setup_e2e.sh)."""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Where scripts/setup_e2e.sh installs the npm tools (outside the checkout: clones share them).
TOOLS = Path(
    os.environ.get("UNLEAK_E2E_TOOLS")
    or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "unleak-e2e"
)
ARTIFACTS = Path(os.environ.get("UNLEAK_E2E_ARTIFACTS") or ROOT / "tests" / "e2e" / "artifacts")
VENV_BIN = Path(sys.executable).parent
# The artefact folders this run made, listed in the terminal summary (output printed inside a
# passing test is captured and never shown).
_MADE: list[Path] = []


def under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def missing(reason: str) -> None:
    """A tool the test needs is not installed: skip locally, fail under CI."""
    hint = f"{reason} (install with: bash scripts/setup_e2e.sh)"
    if under_ci():
        pytest.fail(f"CI=true and {hint}", pytrace=False)
    pytest.skip(hint)


def which(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        missing(f"`{name}` is not on PATH")
    assert found is not None
    return found


def unleak_executable() -> Path:
    """The `unleak` console script of the environment running the tests."""
    for candidate in (VENV_BIN / "unleak", ROOT / ".venv" / "bin" / "unleak"):
        if candidate.is_file():
            return candidate
    missing("the `unleak` console script is not installed (run scripts/setup.sh)")
    raise AssertionError  # unreachable


@contextlib.contextmanager
def artifact_dir(name: str) -> Iterator[Path]:
    """A fresh folder for one test's artefacts (screenshots, logs, results):
    tests/e2e/artifacts/NAME, or NAME-PID while another run (another test.sh in the same
    checkout) holds that one."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    base = re.sub(r"[^\w.-]+", "_", name)
    with open(ARTIFACTS / f".{base}.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            path = ARTIFACTS / base
        except OSError:
            path = ARTIFACTS / f"{base}-{os.getpid()}"
        if path.exists():
            shutil.rmtree(path)
        path.mkdir(parents=True)
        _MADE.append(path)
        yield path


@pytest.fixture
def artifacts(request: pytest.FixtureRequest) -> Iterator[Path]:
    """The artefacts folder of this test module: tests/e2e/artifacts/<module without test_>."""
    name = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")
    with artifact_dir(name) as path:
        yield path


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Where each e2e test left its screenshots and logs, shown whether it passed or not."""
    if not _MADE:
        return
    terminalreporter.section("e2e artefacts")
    for path in _MADE:
        terminalreporter.write_line(f"{path.name}: {path}")
