"""Ctrl-C and SIGTERM: one line (or none) and exit 130 (143), never a worker's traceback or
a worker left behind, never a half-written file."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from unleak.cli import fixing

from .helpers import LEAK, _env, write

POSIX = pytest.mark.skipif(
    not hasattr(signal, "pthread_sigmask") or not Path("/proc/self/task").is_dir(),
    reason="needs POSIX signals and /proc (to see the workers)",
)


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):  # the thread ended meanwhile
            found += [int(c) for c in (task / "children").read_text().split()]
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


@POSIX
@pytest.mark.parametrize(
    ("signum", "group", "expected"),
    [
        (signal.SIGINT, True, (130, "unleak: interrupted\n")),
        (signal.SIGINT, False, (130, "unleak: interrupted\n")),
        (signal.SIGTERM, False, (143, "")),
        (signal.SIGTERM, True, (143, "")),
    ],
    ids=["ctrl-c", "sigint-to-parent", "sigterm-to-parent", "sigterm-to-group"],
)
def test_a_stopped_run_with_workers_ends_at_once_and_quietly(
    project: Path, signum: int, group: bool, expected: tuple[int, str]
) -> None:
    """A terminal sends SIGINT to the whole process group: a worker waiting for work used to
    die with a traceback of its own, and the run ended only when the chunks given out did.
    One worker takes the big file (seconds of work), the other runs out of small ones and
    waits. Sent to the parent alone (`kill`, an editor), the parent stops its workers: on
    SIGTERM it used to die at once and leave them running, or waiting forever for work."""
    body = "".join(f"def f{i}(p):\n    x = open(p)\n    return x.read()\n" for i in range(6000))
    write(project, {"big.py": body, **{f"m{n}.py": LEAK for n in range(30)}})
    with subprocess.Popen(
        [sys.executable, "-m", "unleak", "check", "--no-cache", "--jobs", "2", "."],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_env(),
        start_new_session=True,  # its own process group, as a terminal's job has
    ) as proc:
        try:
            deadline = time.monotonic() + 60
            while len(_children(proc.pid)) < 2 and proc.poll() is None:
                assert time.monotonic() < deadline, "the workers never started"
                time.sleep(0.05)
            time.sleep(1.5)  # the small files done
            workers = _children(proc.pid)
            if group:
                os.killpg(proc.pid, signum)
            else:
                proc.send_signal(signum)
            sent = time.monotonic()
            _, err = proc.communicate(timeout=60)
            took = time.monotonic() - sent
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert (proc.returncode, err.decode()) == expected
    assert took < 10, f"{took:.1f} s from Ctrl-C to the end of the run"
    assert not [pid for pid in workers if _alive(pid)]


@POSIX
def test_ctrl_c_while_a_fixed_file_is_written_waits_until_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file is truncated when it is opened: interrupted there, it used to stay empty."""
    target = tmp_path / "app.py"
    target.write_text(LEAK, encoding="utf-8")

    def interrupted_open(*args: Any, **kwargs: Any) -> Any:
        fh = open(*args, **kwargs)  # noqa: SIM115 - returned to `_write`'s `with`
        try:
            os.kill(os.getpid(), signal.SIGINT)
        except BaseException:
            fh.close()
            raise
        return fh

    monkeypatch.setattr(fixing, "open", interrupted_open, raising=False)
    with pytest.raises(KeyboardInterrupt):
        fixing._write(str(target), b"fixed\n")
    assert target.read_bytes() == b"fixed\n"
