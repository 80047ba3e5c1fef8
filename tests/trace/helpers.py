"""Helpers to run real leaky programs under ``unleak trace`` (``python -m unleak``, a subprocess).

The fixture programs in ``fixtures/`` leak on purpose; each leaking line carries a marker
``# leak: KIND xCOUNT`` naming what the trace must report there. They are copied into a
temporary project (its own ``pyproject.toml``) so the report's paths and the static
cross-check do not depend on this repository. Sockets use 127.0.0.1 only.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

SERVER = Path(__file__).resolve().parents[2] / "server"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
MARKER = re.compile(r"#\s*leak:\s*(\w+)\s+x(\d+)")

if str(SERVER) not in sys.path:
    sys.path.insert(0, str(SERVER))

from unleak.trace.report import Report, load_report  # noqa: E402


@dataclass
class Traced:
    code: int
    out: str
    err: str
    report: Report | str  # a message if no usable report was written


def env_with_unleak() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SERVER), env.get("PYTHONPATH")) if p)
    env.pop("UNLEAK_TRACE_DIR", None)  # never record into an outer trace
    # The fixture suite needs no plugins; loading this venv's (pygls, asyncio) under
    # tracemalloc takes seconds.
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    return env


def run_trace(
    project: Path,
    command: Sequence[str],
    *options: str,
    output_name: str = "report.json",
    timeout: float = 120,
) -> Traced:
    output = project / output_name
    if output.exists():
        output.unlink()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "unleak",
            "trace",
            "--output",
            str(output),
            *options,
            "--",
            *command,
        ],
        cwd=project,
        capture_output=True,
        env=env_with_unleak(),
        timeout=timeout,
    )
    return Traced(proc.returncode, proc.stdout.decode(), proc.stderr.decode(), load_report(output))


def expected_leaks(project: Path, *names: str) -> set[tuple[str, str, int, int]]:
    """(kind, file, line, count) from the ``# leak:`` markers of the fixture files."""
    found = set()
    for name in names:
        for number, line in enumerate((project / name).read_text().splitlines(), 1):
            match = MARKER.search(line)
            if match:
                found.add((match.group(1), name, number, int(match.group(2))))
    return found


def reported_leaks(report: Report, project: Path) -> set[tuple[str, str, int, int]]:
    return {
        (leak.kind, Path(leak.file).relative_to(project).as_posix(), leak.line or 0, leak.count)
        for leak in report.leaks
        if leak.file is not None
    }
