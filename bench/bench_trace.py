"""Overhead of ``unleak trace`` on a real project's test suite: the same pytest run plain and
under ``unleak trace``, side by side, and the resource sites each traced run found.

    .venv/bin/python bench/bench_trace.py                        # python-dateutil's tests
    .venv/bin/python bench/bench_trace.py --rounds 5 --variant "" --variant "--depth 8"
    .venv/bin/python bench/bench_trace.py -- tests/engine        # a suite of this repository
    .venv/bin/python bench/bench_trace.py --recall werkzeug --baseline 085b7dd

``--recall NAME`` runs a recall project's suite instead (bench/recall/projects.toml: its
pinned sdist and virtual environment, as ``bench/recall/trace_suites.py`` runs it, which
fetches them), a suite that leaks; ``--baseline COMMIT`` adds a variant: that commit's
``unleak trace`` with its default options (taken with ``git archive``), so an older default's
resource sites are compared with this tree's.

The project is python-dateutil 2.9.0.post0, pure Python, whose 2,000 tests run offline. Its
sdist is downloaded once (``pip download --no-deps --no-binary``) into ``bench/.work/trace``
(gitignored), unpacked there, and its test dependencies, pinned, go into a virtual
environment of its own beside it; the tests run from the unpacked source (``src`` on
``PYTHONPATH``), so its code is the traced project's.

Each round runs, one after the other (so machine load hits every variant alike):

- plain: ``python -m pytest -q -p no:cacheprovider tests``;
- traced, for each ``--variant`` (``unleak trace`` options; default ``""``, the default, and
  ``"--memory"``, tracemalloc at one frame): ``unleak trace OPTIONS -o TMP -- <the same>``,
  with this tree's unleak (``server/`` first on its ``sys.path``, whatever the suite's
  ``PYTHONPATH``), then with each ``--baseline`` commit's.

It prints medians of the whole ``unleak trace`` wall time, its CPU time (the processes it
waited for: less sensitive to other jobs' load than wall time) and the traced command alone
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
import resource
import shutil
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
# temporary names (mkstemp's random letters) differ from run to run
_VOLATILE = re.compile(r"(/tmp/|/dev/shm/)[^\s'\")>]*")
# ``python -c RUN SERVER trace ...``: the unleak of that server directory, not the one the
# suite's environment or this virtual environment would import.
RUN = (
    "import runpy, sys; sys.path.insert(0, sys.argv.pop(1)); "
    "runpy.run_module('unleak', run_name='__main__', alter_sys=True)"
)


@dataclass
class Suite:
    name: str
    cwd: Path
    command: list[str]
    env: dict[str, str]


@dataclass(frozen=True)
class Site:
    kind: str
    file: str | None  # the first project frame; None: no project frame placed it
    line: int | None
    message: str


@dataclass(frozen=True)
class Variant:
    label: str
    server: Path  # the unleak that traces
    options: tuple[str, ...]


def _cpu() -> float:
    """CPU seconds of the children waited for so far (theirs and their waited-for children's)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, int, str]:
    """Wall and CPU seconds (CPU: less sensitive to other jobs' load), exit code, stdout."""
    started, cpu = time.perf_counter(), _cpu()
    proc = subprocess.run(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    return time.perf_counter() - started, _cpu() - cpu, proc.returncode, proc.stdout


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


def _recall_suite(name: str) -> Suite:
    """A recall project's suite, run as bench/recall/trace_suites.py runs it."""
    sys.path.insert(0, str(ROOT / "bench" / "recall"))
    # bench/recall is not a package: its modules import each other by their plain names
    import trace_suites
    from projects import load

    config = load()
    (project,) = config.select([name])
    if not project.python.exists() or not project.src.is_dir():
        raise SystemExit(f"bench_trace: run bench/recall/trace_suites.py {name} first")
    argv = trace_suites.command(config, project, Path("unused.json"), None)
    pytest = argv[argv.index(str(project.python)) :]
    env = trace_suites.suite_env(project)
    return Suite(f"{project.slug} tests (recall)", project.src, pytest, env)


def _baseline_server(commit: str, into: Path) -> Path:
    """That commit's server/unleak, unpacked into ``into``."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", commit, "server/unleak"],
        capture_output=True,
        check=False,
    )
    if archive.returncode != 0:
        raise SystemExit(f"bench_trace: git archive {commit}: {archive.stderr.decode().strip()}")
    into.mkdir(parents=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into / "server"


def _resource_sites(report: dict[str, object]) -> set[Site]:
    """Each resource leak (memory sites aside: only --memory looks): where it was placed,
    and its message with what changes from run to run blanked."""
    sites = set()
    for leak in report.get("leaks", []):  # type: ignore[union-attr]
        if leak["kind"] == "memory":
            continue
        message = _NUMBERS.sub("#", _VOLATILE.sub("…", leak["message"]))
        sites.add(Site(leak["kind"], leak["file"], leak["line"], message))
    return sites


def _compare(found: set[Site], others: set[Site]) -> tuple[list[Site], list[Site]]:
    """The sites of ``others`` that ``found`` lacks: (not found at all, found but without
    the project line the other placed it at). A site is the same kind at the same project
    line; one without a project line is the same kind and message anywhere."""
    placed = {(s.kind, s.file, s.line) for s in found if s.file}
    messages = {(s.kind, s.message) for s in found}
    unplaced = {(s.kind, s.message) for s in found if not s.file}
    lost, without_line = [], []
    for site in sorted(others - found, key=repr):
        if site.file and (site.kind, site.file, site.line) in placed:
            continue
        if site.file and (site.kind, site.message) in unplaced:
            without_line.append(site)
        elif not site.file and (site.kind, site.message) in messages:
            continue
        else:
            lost.append(site)
    return lost, without_line


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--variant",
        action="append",
        metavar="OPTIONS",
        help='unleak trace options of one traced run (repeatable; default: "" and "--memory")',
    )
    parser.add_argument(
        "--baseline",
        action="append",
        default=[],
        metavar="COMMIT",
        help="also trace with that commit's unleak, default options (repeatable)",
    )
    parser.add_argument("--recall", metavar="NAME", help="a recall project's suite instead")
    parser.add_argument("suite", nargs="*", help="pytest arguments: a suite of this repository")
    ns = parser.parse_args()
    options = ns.variant if ns.variant is not None else DEFAULT_VARIANTS
    if ns.recall:
        suite = _recall_suite(ns.recall)
    else:
        suite = _here_suite(ns.suite) if ns.suite else _project_suite()
    baselines = tempfile.mkdtemp(prefix="bench-trace-unleak-")
    variants = [Variant(o or "(default)", ROOT / "server", tuple(o.split())) for o in options]
    for commit in ns.baseline:
        server = _baseline_server(commit, Path(baselines) / commit)
        variants.append(Variant(f"{commit} (default)", server, ()))
    try:
        return _measure(suite, variants, ns.rounds)
    finally:
        shutil.rmtree(baselines, ignore_errors=True)


def _measure(suite: Suite, variants: list[Variant], rounds: int) -> int:

    load_before = os.getloadavg()[0]
    plain: list[float] = []
    traced: dict[str, list[float]] = {v.label: [] for v in variants}
    plain_cpu: list[float] = []
    traced_cpu: dict[str, list[float]] = {v.label: [] for v in variants}
    command_only: dict[str, list[float]] = {v.label: [] for v in variants}
    sites: dict[str, set[Site]] = {v.label: set() for v in variants}
    leak_sites: dict[str, int] = {}
    tests = 0
    failed = False
    with tempfile.TemporaryDirectory(prefix="bench-trace-") as tmp:
        for n in range(rounds):
            seconds, cpu, plain_code, out = _run(suite.command, suite.cwd, suite.env)
            plain.append(seconds)
            plain_cpu.append(cpu)
            passed = _SUMMARY.findall(out)
            tests = int(passed[-1]) if passed else 0
            for index, variant in enumerate(variants):
                report = Path(tmp) / f"trace-{index}.json"
                unleak = [sys.executable, "-c", RUN, str(variant.server), "trace", "-q"]
                seconds, cpu, code, _ = _run(
                    [*unleak, *variant.options, "--output", str(report), "--", *suite.command],
                    suite.cwd,
                    suite.env,
                )
                traced[variant.label].append(seconds)
                traced_cpu[variant.label].append(cpu)
                data = json.loads(report.read_text())
                command_only[variant.label].append(float(data["duration"]))
                leak_sites[variant.label] = len(data["leaks"])
                sites[variant.label] |= _resource_sites(data)
                if code != plain_code:
                    print(f"exit code {code} traced ({variant.label}), {plain_code} plain")
                    failed = True
            print(f"round {n + 1}/{rounds} done", file=sys.stderr)
    load_after = os.getloadavg()[0]

    base = statistics.median(plain)
    print(
        f"suite: {suite.name}, {tests} tests passed; {rounds} rounds, medians; "
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, load average {load_before:.1f} before, {load_after:.1f} after"
    )
    base_cpu = statistics.median(plain_cpu)
    print(
        "| run | wall time | ratio | CPU time | ratio | traced command alone (wall) | ratio "
        "| leak sites |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    print(f"| plain pytest | {base:.2f} s | 1.00x | {base_cpu:.2f} s | 1.00x | | | |")
    for label in traced:
        whole, alone = statistics.median(traced[label]), statistics.median(command_only[label])
        cpu = statistics.median(traced_cpu[label])
        print(
            f"| unleak trace {label} | {whole:.2f} s | {whole / base:.2f}x | "
            f"{cpu:.2f} s | {cpu / base_cpu:.2f}x | "
            f"{alone:.2f} s | {alone / base:.2f}x | {leak_sites[label]} |"
        )
    every: set[Site] = set().union(*sites.values())
    for label in sites:
        lost, without_line = _compare(sites[label], every)
        print(f"resource sites {label} did not find: {len(lost)}")
        for site in lost:
            print(f"  {site}")
        if without_line:
            print(f"resource sites {label} found without the project line another found:")
            for site in without_line:
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
                "rounds": rounds,
                "plain": plain,
                "traced": traced,
                "plain_cpu": plain_cpu,
                "traced_cpu": traced_cpu,
                "command_only": command_only,
                "resource_sites": {
                    v: [[s.kind, s.file, s.line, s.message] for s in sorted(found, key=repr)]
                    for v, found in sites.items()
                },
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
