"""Overhead of ``unleak trace`` on a real project's test suite: the same pytest run plain and
under ``unleak trace``, side by side, and the resource sites each traced run found.

    .venv/bin/python bench/bench_trace.py                        # python-dateutil's tests
    .venv/bin/python bench/bench_trace.py --rounds 5 --variant "" --variant "--depth 8"
    .venv/bin/python bench/bench_trace.py -- tests/engine        # a suite of this repository

The project is python-dateutil 2.9.0.post0, pure Python, whose 2,000 tests run offline. Its
sdist is downloaded once (``pip download --no-deps --no-binary``) into ``bench/.work/trace``
(gitignored), unpacked there, and its test dependencies, pinned, go into a virtual
environment of its own beside it; the tests run from the unpacked source (``src`` on
``PYTHONPATH``), so its code is the traced project's.

Each round runs, one after the other (so machine load hits every variant alike):

- plain: ``python -m pytest -q -p no:cacheprovider tests``;
- traced, for each ``--variant`` (``unleak trace`` options; default ``""``, the default, and
  ``"--memory"``, tracemalloc at one frame): ``unleak trace OPTIONS -o TMP -- <the same>``.

It prints medians of the whole ``unleak trace`` wall time and of the traced command alone
(the report's ``duration``) with their ratios to plain, the number of tests, the machine's
load before and after, and the resource sites (leaks other than memory) each variant found
that another did not. Results also go to ``bench/results/trace-*.json``. Exits 1 if a run
fails, its exit code differs from the plain run's, or a variant lost a resource site.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "bench" / ".work" / "trace"
PROJECT, VERSION = "python-dateutil", "2.9.0.post0"
# The test dependencies, every one pinned (installed without their dependencies: freezegun's
# would bring python-dateutil itself from PyPI). pytest-cov registers the project's
# no_cover mark.
TEST_DEPENDENCIES = (
    "pytest==8.3.4",
    "pytest-cov==6.0.0",
    "coverage==7.18.0",
    "pluggy==1.7.0",
    "iniconfig==2.3.1",
    "packaging==26.4",
    "hypothesis==6.122.3",
    "attrs==26.1.0",
    "sortedcontainers==2.4.0",
    "freezegun==1.5.1",
    "six==1.17.0",
)
DEFAULT_VARIANTS = ["", "--memory"]
_SUMMARY = re.compile(r"(\d+) passed")
_NUMBERS = re.compile(r"0x[0-9a-fA-F]+|\d+")


@dataclass
class Suite:
    name: str
    cwd: Path
    command: list[str]
    env: dict[str, str]


def _run(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, int, str]:
    started = time.perf_counter()
    proc = subprocess.run(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    return time.perf_counter() - started, proc.returncode, proc.stdout


def _checked(command: list[str], cwd: Path | None = None) -> None:
    proc = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"bench_trace: failed: {' '.join(command)}\n{proc.stderr.strip()}")


def _project_suite() -> Suite:
    """python-dateutil's unpacked sdist and a virtual environment with its test tools."""
    CACHE.mkdir(parents=True, exist_ok=True)
    sdist = CACHE / f"{PROJECT}-{VERSION}.tar.gz"
    if not sdist.exists():
        print(f"downloading {PROJECT}=={VERSION} (sdist)", file=sys.stderr)
        pip = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", PROJECT]
        _checked([*pip, f"{PROJECT}=={VERSION}", "-d", str(CACHE), "-q"])
    source = CACHE / f"{PROJECT}-{VERSION}"
    if not (source / "tests").is_dir():
        with tarfile.open(sdist) as archive:
            if hasattr(tarfile, "data_filter"):
                archive.extractall(CACHE, filter="data")
            else:  # an old 3.10 or 3.11 without extraction filters
                archive.extractall(CACHE)  # a pinned sdist from PyPI
    venv = CACHE / f"venv-{platform.python_version()}"
    stamp = venv / "unleak-bench.txt"
    wanted = "\n".join(TEST_DEPENDENCIES) + "\n"
    if not stamp.exists() or stamp.read_text() != wanted:
        print(f"installing the test dependencies into {venv}", file=sys.stderr)
        _checked([sys.executable, "-m", "venv", "--clear", str(venv)])
        python = str(venv / "bin" / "python")
        _checked([python, "-m", "pip", "install", "-q", "--no-deps", *TEST_DEPENDENCIES])
        stamp.write_text(wanted)
    env = dict(os.environ)
    env["PYTHONPATH"] = str(source / "src")
    env.pop("UNLEAK_TRACE_DIR", None)
    command = [str(venv / "bin" / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    return Suite(f"{PROJECT} {VERSION} tests", source, [*command, "tests"], env)


def _here_suite(args: list[str]) -> Suite:
    env = dict(os.environ)
    env.pop("UNLEAK_TRACE_DIR", None)
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args]
    return Suite(f"this repository: {' '.join(args)}", ROOT, command, env)


def _resource_sites(report: dict[str, object]) -> set[tuple[object, ...]]:
    """Where each resource leak was placed (memory sites aside: only --memory looks)."""
    sites = set()
    for leak in report.get("leaks", []):  # type: ignore[union-attr]
        if leak["kind"] == "memory":
            continue
        if leak["file"]:
            sites.add((leak["kind"], leak["file"], leak["line"]))
        else:
            sites.add((leak["kind"], None, _NUMBERS.sub("#", leak["message"])))
    return sites


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--variant",
        action="append",
        metavar="OPTIONS",
        help='unleak trace options of one traced run (repeatable; default: "" and "--memory")',
    )
    parser.add_argument("suite", nargs="*", help="pytest arguments: a suite of this repository")
    ns = parser.parse_args()
    variants = ns.variant if ns.variant is not None else DEFAULT_VARIANTS
    suite = _here_suite(ns.suite) if ns.suite else _project_suite()

    load_before = os.getloadavg()[0]
    plain: list[float] = []
    traced: dict[str, list[float]] = {v: [] for v in variants}
    command_only: dict[str, list[float]] = {v: [] for v in variants}
    sites: dict[str, set[tuple[object, ...]]] = {v: set() for v in variants}
    leak_sites: dict[str, int] = {}
    tests = 0
    failed = False
    with tempfile.TemporaryDirectory(prefix="bench-trace-") as tmp:
        for n in range(ns.rounds):
            seconds, plain_code, out = _run(suite.command, suite.cwd, suite.env)
            plain.append(seconds)
            passed = _SUMMARY.findall(out)
            tests = int(passed[-1]) if passed else 0
            for index, variant in enumerate(variants):
                report = Path(tmp) / f"trace-{index}.json"
                unleak = [sys.executable, "-m", "unleak", "trace", "-q", *variant.split()]
                seconds, code, _ = _run(
                    [*unleak, "--output", str(report), "--", *suite.command], suite.cwd, suite.env
                )
                traced[variant].append(seconds)
                data = json.loads(report.read_text())
                command_only[variant].append(float(data["duration"]))
                leak_sites[variant] = len(data["leaks"])
                sites[variant] |= _resource_sites(data)
                if code != plain_code:
                    print(f"exit code {code} traced ({variant!r}), {plain_code} plain")
                    failed = True
            print(f"round {n + 1}/{ns.rounds} done", file=sys.stderr)
    load_after = os.getloadavg()[0]

    base = statistics.median(plain)
    print(
        f"suite: {suite.name}, {tests} tests passed; {ns.rounds} rounds, medians; "
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, load average {load_before:.1f} before, {load_after:.1f} after"
    )
    print("| run | wall time | ratio | traced command alone | ratio | leak sites |")
    print("| --- | --- | --- | --- | --- | --- |")
    print(f"| plain pytest | {base:.2f} s | 1.00x | | | |")
    for variant in variants:
        whole, alone = statistics.median(traced[variant]), statistics.median(command_only[variant])
        print(
            f"| unleak trace {variant or '(default)'} | {whole:.2f} s | {whole / base:.2f}x | "
            f"{alone:.2f} s | {alone / base:.2f}x | {leak_sites[variant]} |"
        )
    every = set().union(*sites.values()) if sites else set()
    for variant in variants:
        lost = sorted(every - sites[variant], key=repr)
        print(f"resource sites {variant or '(default)'} did not find: {len(lost)}")
        for site in lost:
            print(f"  {site}")
        failed = failed or bool(lost)

    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    (results / f"trace-{stamp}.json").write_text(
        json.dumps(
            {
                "suite": suite.name,
                "command": suite.command,
                "tests": tests,
                "rounds": ns.rounds,
                "plain": plain,
                "traced": traced,
                "command_only": command_only,
                "resource_sites": {v: sorted(map(repr, s)) for v, s in sites.items()},
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "load": [load_before, load_after],
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
