"""Progress on a terminal's stderr during long runs, and nowhere else; --verbose's counts.

The logic runs on a fake clock and stream; the CLI runs in a subprocess whose stderr is a real
pseudo-terminal (and, for the negative cases, a pipe)."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from unleak.cli import progress as progress_module
from unleak.cli.progress import Progress

from .helpers import CLEAN, LEAK, RunCli, _env, write

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


def test_no_progress_when_stderr_is_not_a_terminal(
    cli: RunCli, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(progress_module, "DELAY", 0.0)
    write(project, {"a.py": LEAK})
    result = cli("check", "--no-cache")
    assert result.code == 1
    assert result.err == ""


def test_verbose_counts_are_singular_for_one(cli: RunCli, project: Path) -> None:
    write(project, {"a.py": CLEAN})
    result = cli("check", "--no-cache", "--verbose")
    assert result.err == (
        "unleak: 1 file, 0 from cache, 1 analysed, 0 worker processes, "
        "0 analysed again with other modules' exports\n"
    )


# --- on a real terminal: stderr is a pseudo-terminal, stdout a pipe --------------------------

# The CLI as `python -m unleak` runs it, but with no delay before the first update (every run
# here is short). Nothing else is replaced: the CLI asks the real stderr whether it is a tty.
NO_DELAY = (
    "import sys; import unleak.cli.progress as p; p.DELAY = 0.0; "
    "from unleak.cli.main import main; sys.exit(main(sys.argv[1:]))"
)


def _on_a_pty(args: list[str], cwd: Path) -> tuple[int, str, str]:
    """Run the CLI with stderr on a pty: (exit code, stdout, what the terminal showed)."""
    controller, terminal = pty.openpty()
    try:
        try:
            proc = subprocess.Popen(
                [sys.executable, "-c", NO_DELAY, *args],
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=terminal,
                env=_env(),
            )
        finally:
            os.close(terminal)  # the child has its own copy
        with proc:
            # stdout is drained meanwhile: a report larger than the pipe's buffer (SARIF
            # carries every rule's documentation) would block the CLI, which holds the
            # terminal open until it exits.
            assert proc.stdout is not None
            stdout = proc.stdout
            chunks: list[bytes] = []
            reader = threading.Thread(target=lambda: chunks.append(stdout.read()))
            reader.start()
            shown = _read_until_closed(controller)
            reader.join(timeout=120)
            out = b"".join(chunks).decode()
            code = proc.wait(timeout=120)
    finally:
        os.close(controller)
    return code, out, shown.decode()


def _read_until_closed(controller: int) -> bytes:
    """What the terminal received, until the CLI and its workers have all closed it."""
    shown = bytearray()
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # EIO: no process holds the terminal's end any more
            break
        if not chunk:
            break
        shown += chunk
    return bytes(shown)


needs_pty = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")


@needs_pty
def test_progress_on_a_real_terminal(project: Path) -> None:
    write(project, {"a.py": LEAK, **{f"m{i}.py": CLEAN for i in range(20)}})
    code, out, shown = _on_a_pty(["check", "--no-cache"], project)
    assert code == 1, shown
    assert "unleak: 21/21 files checked" in shown
    # The line is erased before the process ends, and the report on stdout has none of it.
    assert shown.endswith(ERASE), repr(shown[-80:])
    assert "\r" not in out and "files checked" not in out
    assert out.startswith("a.py:2:9: UL101 ")


@needs_pty
@pytest.mark.parametrize("args", [["--format", "json"], ["--format", "sarif"], ["--quiet"]])
def test_no_progress_on_a_real_terminal_for_machines_or_quiet(
    project: Path, args: list[str]
) -> None:
    write(project, {"a.py": LEAK, **{f"m{i}.py": CLEAN for i in range(20)}})
    code, out, shown = _on_a_pty(["check", "--no-cache", *args], project)
    assert code == 1
    assert shown == ""
    assert "files checked" not in out
