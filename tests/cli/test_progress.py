"""Progress on a terminal's stderr during long runs, and nowhere else; --verbose's counts."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from unleak.cli import progress as progress_module
from unleak.cli.progress import Progress

from .helpers import CLEAN, LEAK, RunCli, write

ERASE = "\r\x1b[K"


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_nothing_is_shown_in_the_first_second() -> None:
    out, clock = io.StringIO(), Clock()
    bar = Progress(out, delay=1.0, interval=0.1, clock=clock)
    bar.begin(10)
    for _ in range(10):
        clock.now += 0.05
        bar.advance()
    bar.close()
    assert out.getvalue() == ""


def test_updates_after_the_delay_are_throttled_and_erased_at_the_end() -> None:
    out, clock = io.StringIO(), Clock()
    bar = Progress(out, delay=1.0, interval=0.5, clock=clock)
    bar.begin(100, done=40)  # cache hits count as done
    clock.now += 1.0
    bar.advance()
    clock.now += 0.1
    bar.advance()  # too soon after the last update
    clock.now += 0.5
    bar.advance()
    bar.begin(2, label="files checked again")
    bar.close()
    assert out.getvalue() == (
        f"{ERASE}unleak: 41/100 files checked"
        f"{ERASE}unleak: 43/100 files checked"
        f"{ERASE}unleak: 0/2 files checked again"
        f"{ERASE}"
    )


def test_the_last_file_is_always_shown() -> None:
    out, clock = io.StringIO(), Clock()
    bar = Progress(out, delay=0.0, interval=10.0, clock=clock)
    bar.begin(2)
    bar.advance()
    bar.advance()
    assert out.getvalue().endswith("unleak: 2/2 files checked")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> Terminal:
    """stderr is a terminal (once the test runs), and progress starts at once."""
    monkeypatch.setattr(progress_module, "DELAY", 0.0)
    return Terminal()


def on(terminal: Terminal, monkeypatch: pytest.MonkeyPatch) -> None:
    # In the test itself: pytest's capture sets sys.stderr again after the fixtures.
    monkeypatch.setattr(sys, "stderr", terminal)


def test_progress_on_a_terminal(
    cli: RunCli, project: Path, terminal: Terminal, monkeypatch: pytest.MonkeyPatch
) -> None:
    on(terminal, monkeypatch)
    write(project, {"a.py": LEAK, "b.py": CLEAN, "c.py": CLEAN})
    result = cli("check", "--no-cache")
    assert result.code == 1
    shown = terminal.getvalue()
    assert "unleak: 3/3 files checked" in shown
    assert shown.endswith(ERASE)
    assert ERASE not in result.out


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_no_progress_for_machine_formats(
    cli: RunCli, project: Path, terminal: Terminal, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    on(terminal, monkeypatch)
    write(project, {"a.py": LEAK})
    result = cli("check", "--no-cache", "--format", fmt)
    assert result.code == 1
    assert terminal.getvalue() == ""


def test_no_progress_when_stderr_is_not_a_terminal(
    cli: RunCli, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(progress_module, "DELAY", 0.0)
    write(project, {"a.py": LEAK})
    result = cli("check", "--no-cache")
    assert result.code == 1
    assert result.err == ""


def test_no_progress_when_quiet(
    cli: RunCli, project: Path, terminal: Terminal, monkeypatch: pytest.MonkeyPatch
) -> None:
    on(terminal, monkeypatch)
    write(project, {"a.py": LEAK})
    assert cli("check", "--no-cache", "--quiet").code == 1
    assert terminal.getvalue() == ""


def test_verbose_counts_are_singular_for_one(cli: RunCli, project: Path) -> None:
    write(project, {"a.py": CLEAN})
    result = cli("check", "--no-cache", "--verbose")
    assert result.err == (
        "unleak: 1 file, 0 from cache, 1 analysed, 0 worker processes, "
        "0 analysed again with other modules' exports\n"
    )
