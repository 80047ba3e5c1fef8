"""Shared helpers for the CLI tests (imported relatively; fixtures live in conftest.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

SERVER = Path(__file__).resolve().parents[2] / "server"

# The example every engine must get right: one UL101 at the acquisition call `open(p)`.
LEAK = "def f(p):\n    f = open(p)\n    return f.read()\n"
CLEAN = "def f(p):\n    with open(p) as f:\n        return f.read()\n"


@dataclass
class Result:
    code: int
    out: str
    err: str


RunCli = Callable[..., Result]


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {**os.environ, **(extra or {})}
    # The CLI under test is this checkout's, installed or not.
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SERVER), env.get("PYTHONPATH")) if p)
    return env


def run_subprocess(
    args: Sequence[str],
    cwd: Path,
    stdin: bytes | None = None,
    timeout: float = 120,
    env: dict[str, str] | None = None,
) -> Result:
    """``python -m unleak ARGS`` with this interpreter; a hang fails the test by timeout."""
    proc = subprocess.run(
        [sys.executable, "-m", "unleak", *args],
        cwd=cwd,
        input=stdin if stdin is not None else b"",
        capture_output=True,
        env=_env(env),
        timeout=timeout,
    )
    return Result(proc.returncode, proc.stdout.decode(), proc.stderr.decode())


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def no_traceback(result: Result) -> bool:
    return "Traceback" not in result.err and "Traceback" not in result.out
