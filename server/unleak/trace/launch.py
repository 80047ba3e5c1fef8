"""Run the traced command: the bootstrap on ``PYTHONPATH``, its output and exit code untouched.

The command inherits stdin, stdout and stderr. Ctrl-C reaches it (it is in the same process
group) while this process waits for it to finish and then writes the report; a SIGTERM sent
to this process is passed on.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

BOOTSTRAP_FILES = ("sitecustomize.py", "_unleak_runtime.py", "_unleak_hooks.py", "_unleak_sites.py")
ENV_DIR = "UNLEAK_TRACE_DIR"
ENV_DEPTH = "UNLEAK_TRACE_DEPTH"
ENV_ROOT = "UNLEAK_TRACE_ROOT"
ENV_MEMORY = "UNLEAK_TRACE_MEMORY_MIN"


@dataclass(frozen=True)
class Outcome:
    exit_code: int | None  # None: the command could not be started
    signal: int | None  # the signal that killed it
    duration: float
    error: str | None = None  # why it could not be started


def install_bootstrap(directory: Path) -> Path:
    """Copy the injected modules (standard library only) into ``directory``."""
    source = Path(__file__).resolve().parent / "bootstrap"
    directory.mkdir(parents=True, exist_ok=True)
    for name in BOOTSTRAP_FILES:
        shutil.copyfile(source / name, directory / name)
    return directory


def tracing_env(
    base: Mapping[str, str],
    bootstrap: Path,
    records: Path,
    root: Path,
    depth: int,
    memory_min: int,
) -> dict[str, str]:
    env = dict(base)
    path = env.get("PYTHONPATH")
    env["PYTHONPATH"] = os.pathsep.join([str(bootstrap), *([path] if path else [])])
    env[ENV_DIR] = str(records)
    env[ENV_ROOT] = str(root)
    env[ENV_DEPTH] = str(depth)
    env[ENV_MEMORY] = str(memory_min)
    return env


@contextmanager
def _signals(proc: subprocess.Popen[bytes]) -> Iterator[None]:
    """While the command runs: Ctrl-C is the command's to handle; SIGTERM is passed on."""

    def forward(signum: int, frame: FrameType | None) -> None:
        if proc.poll() is None:
            proc.send_signal(signum)

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {
        signal.SIGINT: signal.signal(signal.SIGINT, signal.SIG_IGN),
        signal.SIGTERM: signal.signal(signal.SIGTERM, forward),
    }
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


class Progress:
    """One short stderr line per traced process started, when stderr is a terminal."""

    def __init__(self, records: Path, enabled: bool) -> None:
        self.records = records
        self.enabled = enabled
        self._seen: set[str] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="unleak-progress", daemon=True)

    def __enter__(self) -> Progress:
        if self.enabled:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=2)

    def _watch(self) -> None:
        while not self._stop.wait(0.5):
            try:
                names = sorted(p.name for p in self.records.iterdir())
            except OSError:
                continue
            for name in names:
                if name not in self._seen:
                    self._seen.add(name)
                    pid = name.split("-", 1)[0]
                    sys.stderr.write(f"unleak trace: process {pid} started\n")
                    sys.stderr.flush()


def run_command(command: Sequence[str], env: Mapping[str, str], progress: Progress) -> Outcome:
    started = time.monotonic()
    try:
        proc = subprocess.Popen(list(command), env=dict(env))
    except OSError as exc:
        reason = exc.strerror or str(exc)
        return Outcome(None, None, time.monotonic() - started, f"{command[0]}: {reason}")
    with proc, _signals(proc), progress:
        code = proc.wait()
    duration = time.monotonic() - started
    if code < 0:  # killed by a signal: report it as a shell would
        return Outcome(128 - code, -code, duration)
    return Outcome(code, None, duration)
