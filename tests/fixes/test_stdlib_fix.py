"""``unleak check --fix`` over a copy of the whole standard library (slow: ``UNLEAK_SLOW=1``).

Every file that compiled before still compiles after fixing, and a second run applies
nothing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import warnings
from pathlib import Path

import pytest

SERVER = Path(__file__).resolve().parents[2] / "server"
SKIP_DIRS = frozenset({"site-packages", "dist-packages", "__pycache__"})
FIXED = re.compile(r"^Fixed (\d+) problems?; (\d+) remaining\.$", re.MULTILINE)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.environ.get("UNLEAK_SLOW") != "1", reason="set UNLEAK_SLOW=1"),
]


def copy_stdlib(target: Path) -> list[Path]:
    source = Path(sysconfig.get_paths()["stdlib"])
    shutil.copytree(source, target, ignore=lambda d, names: [n for n in names if n in SKIP_DIRS])
    return sorted(p.relative_to(target) for p in target.rglob("*.py") if p.is_file())


def compiles(path: Path) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(path.read_bytes(), str(path), "exec", dont_inherit=True)
    except (SyntaxError, ValueError, OverflowError, RecursionError, MemoryError):
        return False
    return True


def fix(root: Path, files: list[Path]) -> tuple[int, str]:
    """Run ``unleak check --fix`` on the files; the number of fixes applied, and stdout."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(SERVER), os.environ.get("PYTHONPATH", "")]),
    }
    proc = subprocess.run(
        [sys.executable, "-m", "unleak", "check", "--fix", "--no-cache", "--no-config"]
        + [str(f) for f in files],
        cwd=root,
        capture_output=True,
        text=True,
        env=env,
        timeout=3600,
    )
    assert proc.returncode in (0, 1, 2), proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    match = FIXED.search(proc.stdout)
    return (int(match.group(1)) if match else 0), proc.stdout


def test_fixing_the_stdlib_keeps_it_compiling_and_is_stable(tmp_path: Path) -> None:
    root = tmp_path / "stdlib"
    files = copy_stdlib(root)
    compiled = [f for f in files if compiles(root / f)]
    before = {f: (root / f).read_bytes() for f in files}

    applied, _ = fix(root, files)
    changed = [f for f in files if (root / f).read_bytes() != before[f]]
    print(f"\nstdlib: {len(files)} files, {applied} fixes applied in {len(changed)} files")
    broken = [str(f) for f in compiled if not compiles(root / f)]
    assert broken == [], f"no longer compile: {broken}"
    assert set(changed) <= set(compiled)  # a file that did not compile is not touched

    after = {f: (root / f).read_bytes() for f in files}
    again, out = fix(root, files)
    assert again == 0, out[-2000:]
    assert [f for f in files if (root / f).read_bytes() != after[f]] == []
