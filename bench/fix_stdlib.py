"""Fix a copy of the standard library and show what the fixes do, for a human to read.

    .venv/bin/python bench/fix_stdlib.py                  # safe fixes, 10 sample diffs
    .venv/bin/python bench/fix_stdlib.py --unsafe-fixes   # unsafe fixes too
    .venv/bin/python bench/fix_stdlib.py --samples 30 --seed 7

The stdlib (without site-packages and __pycache__) is copied to a temporary directory.
First each file is fixed in memory (``unleak.pipeline.fix_loop.fix_source``, in worker processes)
to count the fixes applied per rule and collect the diffs; then ``unleak check --fix
--no-cache`` fixes the copy for real, and the script checks that every file that compiled
before still compiles and that a second ``--fix`` run applies nothing. Prints the counts per
rule, the files that stopped compiling (there should be none), and random sample diffs.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
import warnings
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SERVER = ROOT / "server"
sys.path.insert(0, str(SERVER))

SKIP_DIRS = frozenset({"site-packages", "dist-packages", "__pycache__"})
FIXED = re.compile(r"^Fixed (\d+) problems?; (\d+) remaining\.$", re.MULTILINE)


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


def fix_in_memory(job: tuple[str, str, bool]) -> tuple[str, list[str], str, str]:
    """One file: the codes of the fixes applied, its diff, and an error if any."""
    from unleak.cli.fixing import unified_diff
    from unleak.cli.modules import module_name
    from unleak.pipeline.fix_loop import fix_source
    from unleak.source.text import SourceDecodeError, decode_source

    path, display, unsafe = job
    try:
        text = decode_source(Path(path).read_bytes())
    except (OSError, SourceDecodeError) as exc:
        return display, [], "", str(exc)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = fix_source(text, display, unsafe=unsafe, module_name=module_name(path))
    except Exception as exc:
        return display, [], "", f"{type(exc).__name__}: {exc}"
    diff = unified_diff(display, text, result.text) if result.applied else ""
    return display, [f.code for f in result.applied], diff, ""


def run_fix(root: Path, files: list[Path], unsafe: bool) -> tuple[int, float, str]:
    """``unleak check --fix``: fixes applied, seconds, stdout."""
    env = {**os.environ, "PYTHONPATH": str(SERVER)}
    command = [sys.executable, "-m", "unleak", "check", "--fix", "--no-cache", "--no-config"]
    if unsafe:
        command.append("--unsafe-fixes")
    start = time.perf_counter()
    proc = subprocess.run(
        command + [str(f) for f in files], cwd=root, capture_output=True, text=True, env=env
    )
    elapsed = time.perf_counter() - start
    if "Traceback" in proc.stderr or proc.returncode not in (0, 1, 2):
        print(proc.stderr, file=sys.stderr)
        raise SystemExit(f"unleak check --fix failed with exit code {proc.returncode}")
    match = FIXED.search(proc.stdout)
    return (int(match.group(1)) if match else 0), elapsed, proc.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--unsafe-fixes", action="store_true", help="apply unsafe fixes too")
    parser.add_argument("--samples", type=int, default=10, help="sample diffs to print")
    parser.add_argument("--seed", type=int, default=0, help="seed for choosing the samples")
    parser.add_argument("--keep", action="store_true", help="keep the fixed copy")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="unleak-fix-stdlib-"))
    try:
        root = tmp / "stdlib"
        files = copy_stdlib(root)
        compiled = {f for f in files if compiles(root / f)}
        print(f"{len(files)} files, {len(compiled)} compile")

        jobs = [(str(root / f), f.as_posix(), args.unsafe_fixes) for f in files]
        per_rule: Counter[str] = Counter()
        diffs: dict[str, str] = {}
        errors: list[str] = []
        start = time.perf_counter()
        with ProcessPoolExecutor() as pool:
            for display, codes, diff, error in pool.map(fix_in_memory, jobs, chunksize=8):
                per_rule.update(codes)
                if diff:
                    diffs[display] = diff
                if error:
                    errors.append(f"{display}: {error}")
        in_memory = time.perf_counter() - start

        applied, elapsed, _ = run_fix(root, files, args.unsafe_fixes)
        broken = sorted(str(f) for f in compiled if not compiles(root / f))
        again, _, _ = run_fix(root, files, args.unsafe_fixes)

        print(
            f"\nin memory: {sum(per_rule.values())} fixes in {len(diffs)} files ({in_memory:.1f} s)"
        )
        for code, count in sorted(per_rule.items(), key=lambda kv: (-kv[1], kv[0])):
            print(f"  {count:>5}  {code}")
        print(f"unleak check --fix: {applied} fixes applied ({elapsed:.1f} s)")
        print(f"second run: {again} fixes applied (expected 0)")
        print(f"files that no longer compile: {len(broken)} (expected 0)")
        for path in broken:
            print(f"  {path}")
        for error in errors:
            print(f"error: {error}")

        rng = random.Random(args.seed)
        chosen = rng.sample(sorted(diffs), min(args.samples, len(diffs)))
        for display in chosen:
            print(f"\n{'=' * 30} {display}\n{diffs[display]}", end="")
        if args.keep:
            print(f"\nthe fixed copy: {root}")
        return 1 if broken or again else 0
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
