"""Time unleak against ruff and pylint over the running interpreter's standard library.

    .venv/bin/python bench/bench_stdlib.py                      # everything, pylint on all files
    .venv/bin/python bench/bench_stdlib.py --pylint-subset 300  # pylint on 300 files, extrapolated
    .venv/bin/python bench/bench_stdlib.py --skip unleak        # only ruff and pylint

The stdlib (without site-packages) is first copied to a temporary directory, so that no cache,
config file or bytecode of the real installation takes part and every tool reads the same
files. Tools are taken from the virtual environment this script runs in.

Runs, in order: ruff (cold, `--no-cache`), pylint, unleak cold (`--no-cache`, fresh cache
dir), unleak first run with a cache (fills it), unleak warm (same cache again).
Results are printed as a table and written as JSON to bench/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

RUFF_RULES = ("SIM115", "RUF006", "B019")
PYLINT_MESSAGE = "consider-using-with"
SYNTAX_ERROR = "UL001"
TOOLS = ("ruff", "pylint", "unleak")
RESULTS_DIR = Path(__file__).resolve().parent / "results"
# Directories of the stdlib that are not the stdlib: installed packages and bytecode.
SKIP_DIRS = frozenset({"site-packages", "dist-packages", "__pycache__"})

# The targets unleak is held to (see the project README).
TARGET_COLD_VS_RUFF = 10.0  # unleak cold <= 10x ruff
TARGET_PYLINT_VS_COLD = 10.0  # unleak cold >= 10x faster than pylint
TARGET_RUFF_VS_WARM = 1.0  # unleak warm faster than ruff cold


@dataclass
class Run:
    """One timed tool run."""

    tool: str
    label: str
    wall: float | None = None  # seconds; extrapolated for a pylint subset
    cpu: float | None = None  # user + sys of the child processes, seconds
    files: int | None = None
    lines: int | None = None
    findings: int | None = None
    other_messages: int = 0  # syntax errors, crashes: reported but not counted as findings
    note: str = ""
    error: str = ""
    measured_wall: float | None = None  # before extrapolation
    command: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Corpus:
    root: Path
    files: tuple[Path, ...]  # sorted, relative to root
    lines: dict[Path, int]

    @property
    def total_lines(self) -> int:
        return sum(self.lines.values())

    def lines_of(self, files: Sequence[Path]) -> int:
        return sum(self.lines[f] for f in files)


# --- corpus -------------------------------------------------------------------------------


def stdlib_dir() -> Path:
    return Path(sysconfig.get_paths()["stdlib"])


def copy_stdlib(src: Path, dest: Path) -> None:
    """Copy only the .py files (and their folders) of the stdlib."""

    def ignore(folder: str, names: list[str]) -> set[str]:
        return {
            n
            for n in names
            if n in SKIP_DIRS or (not n.endswith(".py") and not (Path(folder) / n).is_dir())
        }

    shutil.copytree(src, dest, ignore=ignore, symlinks=False)


def build_corpus(root: Path) -> Corpus:
    files = tuple(sorted(p.relative_to(root) for p in root.rglob("*.py") if p.is_file()))
    lines = {f: _count_lines(root / f) for f in files}
    return Corpus(root, files, lines)


def _count_lines(path: Path) -> int:
    with open(path, "rb") as f:
        return sum(1 for _ in f)


def subset(files: Sequence[Path], n: int) -> list[Path]:
    """Every k-th file of the sorted list: deterministic and spread over the whole stdlib."""
    if n <= 0 or n >= len(files):
        return list(files)
    step = len(files) / n
    return [files[int(i * step)] for i in range(n)]


# --- running tools ------------------------------------------------------------------------


def venv_tool(name: str) -> str | None:
    """The tool next to this interpreter (the venv's bin/), else on PATH."""
    candidate = Path(sys.executable).parent / name
    if candidate.exists():
        return str(candidate)
    return shutil.which(name)


@dataclass(frozen=True)
class Completed:
    returncode: int
    stdout: str
    stderr: str
    wall: float
    cpu: float


def timed(cmd: Sequence[str], cwd: Path, out_dir: Path, env: dict[str, str]) -> Completed:
    """Run ``cmd``; stdout and stderr go to files (pylint's output can be large)."""
    out_path, err_path = out_dir / "stdout", out_dir / "stderr"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        start = time.perf_counter()
        proc = subprocess.run(cmd, cwd=cwd, stdout=out, stderr=err, env=env, check=False)
        wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Completed(
        proc.returncode,
        out_path.read_text(encoding="utf-8", errors="replace"),
        err_path.read_text(encoding="utf-8", errors="replace"),
        wall,
        cpu,
    )


def clean_env(home: Path) -> dict[str, str]:
    """The environment minus anything that points tools at user caches or configs."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYLINT", "RUFF", "UNLEAK"))}
    # Fresh HOME and XDG dirs: no ~/.pylintrc, ~/.config/ruff, ~/.cache/pylint or ~/.cache/unleak.
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_CACHE_HOME=str(home / ".cache"),
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def _fail(run: Run, done: Completed) -> Run:
    tail = "\n".join(done.stderr.strip().splitlines()[-6:])
    run.error = f"exit code {done.returncode}: {tail or done.stdout[-2000:]}"
    return run


def run_ruff(ruff: str, corpus: Corpus, work: Path, env: dict[str, str]) -> Run:
    cmd = [
        ruff, "check", "--isolated", "--no-cache", "--exit-zero",
        "--select", ",".join(RUFF_RULES), "--output-format", "json",
        *map(str, corpus.files),
    ]  # fmt: skip
    run = Run("ruff", "ruff (cold, --no-cache)", command=_shown(cmd))
    done = timed(cmd, corpus.root, work, env)
    if done.returncode != 0:
        return _fail(run, done)
    messages = json.loads(done.stdout or "[]")
    run.findings = sum(1 for m in messages if m.get("code") in RUFF_RULES)
    run.other_messages = len(messages) - run.findings
    run.wall = run.measured_wall = done.wall
    run.cpu, run.files, run.lines = done.cpu, len(corpus.files), corpus.total_lines
    return run


def run_pylint(
    pylint: str, corpus: Corpus, work: Path, env: dict[str, str], jobs: int, subset_size: int
) -> Run:
    files = subset(corpus.files, subset_size)
    rcfile = work / "empty-pylintrc"
    rcfile.write_text("", encoding="utf-8")
    cmd = [
        pylint, f"--rcfile={rcfile}", "--persistent=n", f"-j{jobs}", "--exit-zero",
        "--disable=all", f"--enable={PYLINT_MESSAGE}", "--output-format=json",
        "--score=n", *map(str, files),
    ]  # fmt: skip
    partial = len(files) < len(corpus.files)
    label = f"pylint -j{jobs}" + (f" (ESTIMATE from {len(files)}-file subset)" if partial else "")
    run = Run("pylint", label, command=_shown(cmd))
    done = timed(cmd, corpus.root, work, env)
    if done.returncode != 0:
        return _fail(run, done)
    messages = json.loads(done.stdout or "[]")
    found = sum(1 for m in messages if m.get("symbol") == PYLINT_MESSAGE)
    run.other_messages = len(messages) - found
    run.measured_wall = done.wall
    run.files, run.lines = len(corpus.files), corpus.total_lines
    if partial:
        # Extrapolate by lines, not files: stdlib files range from 1 to 10,000+ lines.
        scale = corpus.total_lines / max(1, corpus.lines_of(files))
        run.wall, run.cpu, run.findings = done.wall * scale, done.cpu * scale, round(found * scale)
        run.note = (
            f"measured {done.wall:.1f}s, {found} findings on {len(files)} files / "
            f"{corpus.lines_of(files)} lines; scaled x{scale:.2f} by lines"
        )
    else:
        run.wall, run.cpu, run.findings = done.wall, done.cpu, found
    return run


def run_unleak(
    unleak: str, corpus: Corpus, work: Path, env: dict[str, str], cache_dir: Path, mode: str
) -> Run:
    """mode: "cold" (--no-cache), "fill" (first run with an empty cache), "warm"."""
    # The same explicit file list as ruff and pylint: walking the directory would skip the
    # stdlib's venv/ package (a default skip), and the tools would not read the same files.
    cmd = [unleak, "check", "--format", "json", "--no-config", "--verbose"]
    cmd += ["--no-cache"] if mode == "cold" else ["--cache-dir", str(cache_dir)]
    cmd += map(str, corpus.files)
    labels = {
        "cold": "unleak cold (--no-cache)",
        "fill": "unleak first run (fills cache)",
        "warm": "unleak warm (cache)",
    }
    run = Run("unleak", labels[mode], command=_shown(cmd))
    done = timed(cmd, corpus.root, work, env)
    try:
        findings, syntax_errors, files = parse_unleak_json(done.stdout)
    except ValueError as exc:
        if done.returncode in (0, 1):
            run.error = f"cannot read unleak's JSON output: {exc}"
            return run
        return _fail(run, done)
    # Exit 1 means findings; 2 with a full JSON report means some files could not be read
    # (the stdlib's tests ship deliberately undecodable files): counted, not fatal.
    file_errors = [ln for ln in done.stderr.splitlines() if ": error: " in ln]
    crashed = any("internal error" in ln for ln in file_errors)
    if done.returncode not in (0, 1) and (crashed or not file_errors):
        return _fail(run, done)
    run.wall = run.measured_wall = done.wall
    run.cpu, run.findings, run.lines = done.cpu, findings, corpus.total_lines
    run.other_messages = syntax_errors + len(file_errors)
    run.files = files if files is not None else len(corpus.files)
    run.note = _verbose_summary(done.stderr)
    return run


def _verbose_summary(stderr: str) -> str:
    """unleak --verbose's closing line (files, cache hits, workers), for the notes."""
    lines = [ln for ln in stderr.splitlines() if ln.startswith("unleak: ") and " files, " in ln]
    return lines[-1].removeprefix("unleak: ") if lines else ""


def parse_unleak_json(text: str) -> tuple[int, int, int | None]:
    """(findings, syntax errors, files checked or None) from ``unleak check --format json``.

    Syntax errors (UL001) are kept apart, as for ruff and pylint. Accepts a bare list of
    findings or an object with a ``findings`` list and optionally a file count
    (``files``/``files_checked`` at top level or under ``summary``).
    """
    data: Any = json.loads(text or "[]")
    files: int | None = None
    if isinstance(data, dict) and isinstance(data.get("findings"), list):
        data, files = data["findings"], _file_count(data)
    if not isinstance(data, list):
        raise ValueError("expected a list of findings or an object with 'findings'")
    syntax = sum(1 for f in data if isinstance(f, dict) and f.get("code") == SYNTAX_ERROR)
    # Paths that could not be checked are items too (code null); stderr already counts them.
    unchecked = sum(1 for f in data if isinstance(f, dict) and f.get("code") is None)
    return len(data) - syntax - unchecked, syntax, files


def _file_count(data: dict[str, Any]) -> int | None:
    for where in (data, data.get("summary")):
        if not isinstance(where, dict):
            continue
        for key in ("files_checked", "files", "checked_files"):
            value = where.get(key)
            if isinstance(value, bool):
                continue
            if isinstance(value, int):
                return value
            if isinstance(value, list):
                return len(value)
    return None


def _shown(cmd: Sequence[str]) -> list[str]:
    """The command for the report, without the thousands of file names."""
    args = [a for a in cmd if not a.endswith(".py")]
    n = len(cmd) - len(args)
    return [Path(args[0]).name, *args[1:], *([f"<{n} .py files>"] if n else [])]


def tool_version(exe: str) -> str:
    done = subprocess.run([exe, "--version"], capture_output=True, text=True, check=False)
    return (done.stdout or done.stderr).strip().splitlines()[0] if done.returncode == 0 else "?"


def unleak_version() -> str:
    try:
        return metadata.version("unleak")
    except metadata.PackageNotFoundError:
        return "?"


# --- report -------------------------------------------------------------------------------


def ratio(a: Run | None, b: Run | None) -> float | None:
    if a is None or b is None or a.wall is None or not b.wall:
        return None
    return a.wall / b.wall


def ratios(runs: dict[str, Run]) -> list[dict[str, Any]]:
    """Each ratio with its target; ``ok`` is None when a run is missing."""
    specs = [
        ("unleak cold / ruff", "unleak_cold", "ruff", TARGET_COLD_VS_RUFF, "<="),
        ("pylint / unleak cold", "pylint", "unleak_cold", TARGET_PYLINT_VS_COLD, ">="),
        ("ruff cold / unleak warm", "ruff", "unleak_warm", TARGET_RUFF_VS_WARM, ">"),
    ]
    out = []
    for name, num, den, target, op in specs:
        value = ratio(runs.get(num), runs.get(den))
        ok = None if value is None else _meets(value, op, target)
        out.append({"ratio": name, "value": value, "target": f"{op} {target:g}", "ok": ok})
    return out


def _meets(value: float, op: str, target: float) -> bool:
    if op == "<=":
        return value <= target
    return value >= target if op == ">=" else value > target


def _fmt(value: float | int | None, spec: str = "") -> str:
    return "n/a" if value is None else format(value, spec)


def format_table(runs: Sequence[Run], checks: Sequence[dict[str, Any]]) -> str:
    header = ("tool", "wall s", "cpu s", "files", "lines", "findings", "other")
    rows = [header]
    for r in runs:
        if r.error:
            rows.append((r.label, "FAILED", "", "", "", "", ""))
            continue
        rows.append(
            (r.label, _fmt(r.wall, ".2f"), _fmt(r.cpu, ".2f"), _fmt(r.files), _fmt(r.lines),
             _fmt(r.findings), str(r.other_messages))
        )  # fmt: skip
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    notes = [f"  {r.label}: {r.note}" for r in runs if r.note]
    notes += [f"  {r.label}: " + r.error.replace("\n", "\n      ") for r in runs if r.error]
    if notes:
        lines += ["", "notes:", *notes]
    lines += ["", "ratio                        value  target  met"]
    for c in checks:
        met = {True: "yes", False: "NO", None: "n/a"}[c["ok"]]
        lines.append(f"{c['ratio']:<25} {_fmt(c['value'], '8.2f'):>8}  {c['target']:>6}  {met}")
    lines.append("('other': messages outside the selected rules, e.g. syntax errors in test data)")
    return "\n".join(lines)


def write_results(payload: dict[str, Any], out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    path = out_dir / f"stdlib-{stamp}.json"
    path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return path


# --- main ---------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--pylint-subset", type=int, default=0, metavar="N",
        help="time pylint on N files spread over the stdlib and extrapolate by lines (0: all)",
    )  # fmt: skip
    parser.add_argument("--pylint-jobs", type=int, default=2, metavar="J", help="pylint -j (2)")
    parser.add_argument("--skip", action="append", choices=TOOLS, default=[], help="skip a tool")
    parser.add_argument("--stdlib", type=Path, default=None, help="default: this interpreter's")
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    return parser.parse_args(argv)


def find_tools(skip: Sequence[str]) -> dict[str, str]:
    tools: dict[str, str] = {}
    for name in TOOLS:
        if name in skip:
            continue
        exe = venv_tool(name)
        if exe is None:
            raise SystemExit(f"error: {name} not found next to {sys.executable} nor on PATH")
        tools[name] = exe
    return tools


def benchmark(args: argparse.Namespace, tools: dict[str, str], tmp: Path) -> dict[str, Run]:
    src = args.stdlib or stdlib_dir()
    corpus_root = tmp / "stdlib"
    print(f"copying {src} (without site-packages) to {corpus_root} ...", flush=True)
    copy_stdlib(src, corpus_root)
    corpus = build_corpus(corpus_root)
    print(f"corpus: {len(corpus.files)} files, {corpus.total_lines} lines", flush=True)
    env = clean_env(tmp / "home")
    work = tmp / "work"
    work.mkdir()

    runs: dict[str, Run] = {}

    def record(key: str, run: Run) -> None:
        runs[key] = run
        status = f"FAILED ({run.error.splitlines()[0]})" if run.error else f"{run.wall:.2f}s"
        print(f"  {run.label}: {status}", flush=True)

    if "ruff" in tools:
        record("ruff", run_ruff(tools["ruff"], corpus, work, env))
    if "pylint" in tools:
        print(f"running pylint -j{args.pylint_jobs} (this can take many minutes) ...", flush=True)
        run = run_pylint(tools["pylint"], corpus, work, env, args.pylint_jobs, args.pylint_subset)
        record("pylint", run)
    if "unleak" in tools:
        cache = tmp / "unleak-cache"  # fresh, outside the corpus
        for mode in ("cold", "fill", "warm"):
            record(f"unleak_{mode}", run_unleak(tools["unleak"], corpus, work, env, cache, mode))
        _check_cache_consistency(runs)
    return runs


def _check_cache_consistency(runs: dict[str, Run]) -> None:
    """A cache must not change the answer: flag warm findings that differ from cold ones."""
    cold, warm = runs.get("unleak_cold"), runs.get("unleak_warm")
    if cold and warm and not (cold.error or warm.error) and cold.findings != warm.findings:
        warm.note = f"WARNING: {warm.findings} findings with the cache, {cold.findings} without"


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    tools = find_tools(args.skip)
    tmp = Path(tempfile.mkdtemp(prefix="unleak-bench-"))
    try:
        runs = benchmark(args, tools, tmp)
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    checks = ratios(runs)
    print()
    print(format_table(list(runs.values()), checks))
    payload = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "stdlib": str(args.stdlib or stdlib_dir()),
        "versions": {
            **{n: tool_version(exe) for n, exe in tools.items() if n != "unleak"},
            **({"unleak": unleak_version()} if "unleak" in tools else {}),
        },
        "pylint_jobs": args.pylint_jobs,
        "pylint_subset": args.pylint_subset,
        "runs": {k: asdict(r) for k, r in runs.items()},
        "ratios": checks,
    }
    print(f"\nresults written to {write_results(payload, args.results_dir)}")
    return 1 if any(r.error for r in runs.values()) else 0


if __name__ == "__main__":
    raise SystemExit(main())
