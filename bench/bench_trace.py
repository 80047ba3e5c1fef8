"""Overhead of ``unleak trace`` on a test suite: the same pytest run with and without tracing.

    .venv/bin/python bench/bench_trace.py                     # default suite, depths 1 and 8
    .venv/bin/python bench/bench_trace.py --rounds 5 --depth 1 --depth 4
    .venv/bin/python bench/bench_trace.py -- tests/engine     # another suite (pytest args)

Each round runs, one after the other (so machine load hits every variant alike):

- plain: ``python -m pytest -q -p no:cacheprovider SUITE``;
- traced, for each ``--depth``: ``python -m unleak trace --depth D -o TMP -- <the same>``.

For the traced runs it reports the whole ``unleak trace`` wall time (start-up, the traced
command, merging the records and the static cross-check) and the traced command alone (the
``duration`` in the report). Prints medians and the ratio to plain, and writes the results
to ``bench/results/trace-*.json``. Exits 1 if a run fails or its exit code differs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SUITE = ["tests/test_rule_fixtures.py", "tests/engine/test_paths.py"]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    server = str(ROOT / "server")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (server, env.get("PYTHONPATH")) if p)
    env.pop("UNLEAK_TRACE_DIR", None)
    return env


def _run(command: list[str]) -> tuple[float, int]:
    started = time.perf_counter()
    proc = subprocess.run(
        command, cwd=ROOT, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return time.perf_counter() - started, proc.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--depth", type=int, action="append", help="tracemalloc depth (repeatable; default 1, 8)"
    )
    parser.add_argument("suite", nargs="*", help="pytest arguments (default: %(default)s)")
    ns = parser.parse_args()
    depths = ns.depth or [1, 8]
    suite = ns.suite or DEFAULT_SUITE
    pytest = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *suite]

    plain: list[float] = []
    traced: dict[int, list[float]] = {d: [] for d in depths}
    command_only: dict[int, list[float]] = {d: [] for d in depths}
    leaks: dict[int, int] = {}
    failed = False
    with tempfile.TemporaryDirectory(prefix="bench-trace-") as tmp:
        for n in range(ns.rounds):
            seconds, plain_code = _run(pytest)
            plain.append(seconds)
            for depth in depths:
                report = Path(tmp) / f"trace-{depth}.json"
                seconds, code = _run(
                    [
                        sys.executable,
                        "-m",
                        "unleak",
                        "trace",
                        "-q",
                        "--depth",
                        str(depth),
                        "--output",
                        str(report),
                        "--",
                        *pytest,
                    ]
                )
                traced[depth].append(seconds)
                data = json.loads(report.read_text())
                command_only[depth].append(float(data["duration"]))
                leaks[depth] = len(data["leaks"])
                if code != plain_code:
                    print(f"exit code {code} traced, {plain_code} plain", file=sys.stderr)
                    failed = True
            print(f"round {n + 1}/{ns.rounds} done", file=sys.stderr)

    base = statistics.median(plain)
    rows = [("plain pytest", base, None, None)]
    for depth in depths:
        whole, alone = statistics.median(traced[depth]), statistics.median(command_only[depth])
        rows.append((f"unleak trace --depth {depth}", whole, alone, leaks[depth]))
    print(
        f"suite: {' '.join(suite)}; {ns.rounds} rounds, medians; "
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}"
    )
    print("| run | wall time | ratio | traced command alone | ratio | leak sites |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, whole, alone, found in rows:
        if alone is None:
            print(f"| {name} | {whole:.2f} s | 1.0x | | | |")
        else:
            print(
                f"| {name} | {whole:.2f} s | {whole / base:.1f}x | {alone:.2f} s | "
                f"{alone / base:.1f}x | {found} |"
            )

    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    (results / f"trace-{stamp}.json").write_text(
        json.dumps(
            {
                "suite": suite,
                "rounds": ns.rounds,
                "plain": plain,
                "traced": {str(d): traced[d] for d in depths},
                "command_only": {str(d): command_only[d] for d in depths},
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "load": os.getloadavg()[0],
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
