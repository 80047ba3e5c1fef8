"""The other Pythons some tests run (3.13 for the fixes run for real and the fix corpus, 3.10
for the bundled server, 3.6 for `unleak trace`'s too-old case), found one way everywhere.

A Python X.Y is looked for as `pythonX.Y` on PATH (and `python3` and the interpreter running
the tests, when they are X.Y), then under pyenv's root: `$PYENV_ROOT`, what `pyenv root`
says when pyenv is on PATH, then `~/.pyenv` (newest patch release first). A test that needs
one it cannot find is skipped with a reason that names it; under CI, a Python that CI must
have fails the test instead.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# %-formatting, no f-string: old Pythons (3.6) answer too.
ASK = "import sys; print('%d.%d' % sys.version_info[:2], sys.executable)"
LOOKED = "looked for pythonX.Y on PATH and under $PYENV_ROOT, `pyenv root` and ~/.pyenv"


def under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def pyenv_roots() -> list[Path]:
    """Where pyenv keeps its Pythons, in the order pyenv itself would decide."""
    roots = [Path(os.environ["PYENV_ROOT"])] if os.environ.get("PYENV_ROOT") else []
    pyenv = shutil.which("pyenv")
    if pyenv is not None:
        try:
            out = subprocess.run([pyenv, "root"], capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.SubprocessError):
            out = None
        if out is not None and out.returncode == 0 and out.stdout.strip():
            roots.append(Path(out.stdout.strip()))
    roots.append(Path.home() / ".pyenv")
    return list(dict.fromkeys(roots))


def _candidates(version: str) -> list[str]:
    found = [shutil.which(name) for name in (f"python{version}", "python3")]
    found.append(sys.executable or None)
    for root in pyenv_roots():
        # Newest patch release first: 3.13.9 before 3.13.1 (and 3.13.10 before 3.13.9).
        releases = (root / "versions").glob(f"{version}.*")
        for directory in sorted(releases, key=_release, reverse=True):
            found.append(str(directory / "bin" / f"python{version}"))
    return [c for c in dict.fromkeys(found) if c]


def _release(directory: Path) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else -1 for p in directory.name.split("."))


@functools.cache
def find_python(version: str) -> str | None:
    """The real executable of a Python `version` ("3.13"), or None if there is none."""
    for candidate in _candidates(version):
        try:
            out = subprocess.run(
                # %-formatting and no f-string: old Pythons (3.6) answer too.
                [
                    candidate,
                    "-c",
                    "import sys; print('%d.%d' % sys.version_info[:2], sys.executable)",
                ],
                capture_output=True,
                text=True,
                timeout=30,
                check=True,
            ).stdout.split(maxsplit=1)
        except (OSError, subprocess.SubprocessError):
            continue
        if len(out) == 2 and out[0] == version:
            return out[1].strip()
    return None


def python_or_skip(version: str, *, required_under_ci: bool = False) -> str:
    """The Python `version`, or a skip saying it is missing (a failure under CI when CI must
    have it)."""
    path = find_python(version)
    if path is None:
        reason = f"Python {version} is not installed ({LOOKED})"
        if required_under_ci and under_ci():
            pytest.fail(f"{reason}; CI must have it")
        pytest.skip(reason)
    return path
