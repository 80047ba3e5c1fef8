"""Run each recall project's test suite under `unleak trace` and snapshot its leak sites.

    .venv/bin/python bench/recall/trace_suites.py                # every project (fetches first)
    .venv/bin/python bench/recall/trace_suites.py waitress click # refresh some of them
    .venv/bin/python bench/recall/trace_suites.py --depth 4      # deeper tracemalloc stacks

Each suite runs from its unpacked sdist (so unleak trace takes that as the project root and
its library and tests are project frames) as
`unleak trace --no-check -o REPORT -- VENV/bin/python -m pytest ARGS`, one project at a
time, niced, killed after the project's timeout. The report and the suite's output are kept
in bench/.work/recall/{reports,logs}/; bench/recall/sites.json gets, per project, every
runtime leak site that static analysis could be scored on (see bench/README.md), with the kinds
it does not model and the sites without a project frame counted apart.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from fetch import ensure_sources, ensure_venv
from projects import REPO, SITES_FILE, UNLEAK, WORK, Config, Project, load

# Kinds the static analysis does not model (as in unleak's crosscheck): memory held at exit,
# exceptions in finalizers other than ResourceWarning (those get their resource's kind).
UNMODELLED = ("memory", "unraisable")
MAX_FRAMES = 12  # project frames kept per site (innermost first)
_SUMMARY = re.compile(
    r"(\d+) (passed|failed|skipped|errors?|xfailed|xpassed|deselected|warnings?|rerun)"
)
# what changes from run to run in a leak's message: object addresses, descriptor numbers,
# ports and temporary paths
_VOLATILE = (
    (re.compile(r"0x[0-9a-fA-F]+"), "0x…"),
    (re.compile(r"\b(fd|name|pid)=\d+"), r"\1=…"),
    (re.compile(r"\b(subprocess|process|descriptor) \d+"), r"\1 …"),
    (re.compile(r"\b(pipe|socket|anon_inode):\[\d+\]"), r"\1:[…]"),
    (re.compile(r"(['\"][\w.:]*['\"], )\d+"), r"\1…"),  # ('127.0.0.1', 40123), ('::1', 4012, 0, 0)
    (re.compile(r"/tmp/[^'\"\s>]*"), "/tmp/…"),
)


def suite_env(project: Project) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("UNLEAK_TRACE")}
    env.pop("PYTHONPATH", None)  # the venv alone decides what the suite imports
    env.pop("VIRTUAL_ENV", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # set on this machine; execnet's tests expect it unset
    # the suite's own commands (console scripts, "python") come from its venv
    env["PATH"] = os.pathsep.join([str(project.venv / "bin"), env.get("PATH", "")])
    env.update(project.env)
    return env


def has_pytest_config(src: Path) -> bool:
    """Whether pytest finds its configuration in the sdist's root (the files it reads)."""
    if (src / "pytest.ini").is_file() or (src / ".pytest.ini").is_file():
        return True
    markers = (
        ("pyproject.toml", "[tool.pytest"),
        ("tox.ini", "[pytest]"),
        ("setup.cfg", "[tool:pytest]"),
    )
    for name, marker in markers:
        path = src / name
        if path.is_file() and marker in path.read_text(encoding="utf-8", errors="replace"):
            return True
    return False


def command(config: Config, project: Project, report: Path, depth: int | None) -> list[str]:
    deselect = []
    for item in project.deselect:
        if "::" in item.test or "/" in item.test:
            deselect += ["--deselect", item.test]
        else:
            deselect += ["-k", f"not ({item.test})"]
    # without a pytest configuration of its own, pytest would take this repository's (the
    # nearest above) and its directory as rootdir, which also breaks --deselect's node ids
    own = [] if has_pytest_config(project.src) else ["-c", "pyproject.toml", "--rootdir", "."]
    pytest = [str(project.python), "-m", "pytest", *own, *config.common_args, *project.args]
    pytest += deselect
    memory = ["--depth", str(depth)] if depth else []  # tracemalloc: slow, only when asked
    return [str(UNLEAK), "trace", "--no-check", *memory, "-o", str(report), "--", *pytest]


def _pytest_argv(config: Config, project: Project, depth: int | None) -> list[str]:
    """The traced command after its interpreter ("-m pytest ..."), as recorded in the
    snapshot."""
    argv = command(config, project, WORK / "report.json", depth)
    return argv[argv.index(str(project.python)) + 1 :]


def run_suite(config: Config, project: Project, depth: int | None) -> dict[str, Any]:
    """Trace the suite; the outcome (exit code, time, tests) and where the report is."""
    report = WORK / "reports" / f"{project.slug}.json"
    log = WORK / "logs" / f"{project.slug}.log"
    report.parent.mkdir(parents=True, exist_ok=True)
    log.parent.mkdir(parents=True, exist_ok=True)
    report.unlink(missing_ok=True)
    argv = command(config, project, report, depth)
    started = time.monotonic()
    timed_out = False
    with log.open("w", encoding="utf-8") as out:
        out.write("$ " + " ".join(argv) + "\n")
        out.flush()
        proc = subprocess.Popen(
            ["nice", "-n", "10", *argv],
            cwd=project.src,
            env=suite_env(project),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: a timeout ends all of it
        )
        try:
            proc.wait(timeout=project.timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            # unleak trace passes SIGTERM on to the suite and still writes its report
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=120)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    text = log.read_text(encoding="utf-8", errors="replace")
    return {
        "exit_code": proc.returncode,
        "timed_out": timed_out,
        "wall_time": round(time.monotonic() - started, 1),
        "tests": pytest_summary(text),
        "report": report,
    }


def pytest_summary(text: str) -> dict[str, int]:
    """Counts from pytest's last summary line ("3 failed, 120 passed, 2 skipped in 4.2s")."""
    for line in reversed(text.splitlines()):
        if re.search(r"\bin [\d.]+s\b", line):
            counts = {}
            for number, word in _SUMMARY.findall(line):
                counts[word.rstrip("s") if word.startswith(("error", "warning")) else word] = int(
                    number
                )
            if counts:
                return counts
    return {}


def _rel(path: str, root: Path) -> str:
    return os.path.relpath(path, root).replace(os.sep, "/")


def _scrub(message: str, root: Path) -> str:
    """The message's first line, without the machine's paths and what changes between runs
    (so a refreshed snapshot differs only where the leaks do)."""
    first = message.splitlines()[0] if message else ""
    first = first.replace(str(root) + os.sep, "")
    for pattern, replacement in _VOLATILE:
        first = pattern.sub(replacement, first)
    return first


def _frames(leak: dict[str, Any]) -> list[dict[str, Any]]:
    """The allocation's project frames, innermost first, as unleak's crosscheck compares
    them: none without an allocation traceback; the leak's own place first if the traceback
    has no project frame (it was then placed where it was noticed)."""
    traceback = leak.get("traceback") or []
    if not traceback:
        return []
    frames = [f for f in traceback if f.get("project")]
    place = (leak.get("file"), leak.get("line"))
    if all(place) and not any((f["file"], f["line"]) == place for f in frames):
        frames.insert(0, {"file": leak["file"], "line": leak["line"], "function": None})
    return frames


def sites_of(project: Project, report: dict[str, Any], root: Path) -> dict[str, Any]:
    """Scorable sites and the counts of what is left out, from an unleak trace report of
    the suite run from `root` (the unpacked sdist)."""
    sites = []
    apart: dict[str, int] = {}
    for leak in report.get("leaks", []):
        kind = leak["kind"]
        frames = _frames(leak) if kind not in UNMODELLED else []
        if kind in UNMODELLED:
            reason = kind
        elif not frames:
            reason = "no allocation site" if not leak.get("traceback") else "no project frame"
        elif not os.path.isfile(frames[0]["file"]):
            # e.g. a warning attributed to "sys:1", taken relative to the working directory
            reason = "no source file"
        elif _rel(frames[0]["file"], root).startswith("../"):
            reason = "outside the sources"  # e.g. a script the suite wrote to /tmp and ran
        else:
            reason = ""
        if reason:
            apart[reason] = apart.get(reason, 0) + 1
            continue
        file = _rel(frames[0]["file"], root)
        sites.append(
            {
                "kind": kind,
                "file": file,
                "line": frames[0]["line"],
                "code": project.kind_of(file),
                "count": leak.get("count", 1),
                "message": _scrub(leak.get("message", ""), root),
                "frames": [
                    [_rel(f["file"], root), f["line"], f.get("function")]
                    for f in frames[:MAX_FRAMES]
                ],
            }
        )
    sites.sort(key=lambda s: (s["file"], s["line"], s["kind"], s["message"]))
    return {"sites": sites, "left_out": dict(sorted(apart.items()))}


def _git(*args: str) -> str:
    proc = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True)
    return proc.stdout.strip()


def unleak_identity() -> dict[str, Any]:
    version = subprocess.run([str(UNLEAK), "--version"], capture_output=True, text=True)
    return {
        "version": version.stdout.strip(),
        "commit": _git("rev-parse", "HEAD"),
        # uncommitted changes to unleak's sources also shaped the run
        "modified": bool(_git("status", "--porcelain", "--", "server")),
    }


def trace_project(config: Config, project: Project, depth: int | None) -> dict[str, Any]:
    ensure_sources(project)
    ensure_venv(config, project)
    outcome = run_suite(config, project, depth)
    report_path: Path = outcome.pop("report")
    if not report_path.is_file():
        raise RuntimeError(f"{project.slug}: no report (see {WORK / 'logs'})")
    report = json.loads(report_path.read_text(encoding="utf-8"))
    if Path(report["root"]).resolve() != project.src.resolve():
        raise RuntimeError(f"{project.slug}: traced with root {report['root']}")
    pythons = sorted({p.get("python", "") for p in report.get("processes", [])})
    return {
        "version": project.version,
        "command": ["python", *_pytest_argv(config, project, depth)],
        "deselected": [d.test for d in project.deselect],
        "traced": {
            "date": datetime.date.today().isoformat(),
            "unleak": unleak_identity(),
            "depth": depth,
            "python": pythons,
        },
        **outcome,
        "duration": report.get("duration"),
        "processes": len(report.get("processes", [])),
        "notes": [_scrub(n, project.src) for n in report.get("notes", [])],
        **sites_of(project, report, project.src),
    }


def rebuild(config: Config, names: list[str], snapshot: dict[str, Any], output: Path) -> int:
    """Recompute the sites of projects already in the snapshot from their kept reports (after
    a change to sites_of), keeping how and when each suite ran."""
    for project in config.select(names or sorted(snapshot["projects"])):
        entry = snapshot["projects"].get(project.name)
        report_path = WORK / "reports" / f"{project.slug}.json"
        if entry is None or entry["version"] != project.version or not report_path.is_file():
            print(f"{project.slug}: no snapshot entry or report to rebuild from", file=sys.stderr)
            return 1
        report = json.loads(report_path.read_text(encoding="utf-8"))
        entry.update(sites_of(project, report, project.src))
    output.write_text(json.dumps(snapshot, indent=1) + "\n", encoding="utf-8")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="projects (default: all)")
    parser.add_argument(
        "--depth", type=int, help="also trace with tracemalloc, N frames (unleak trace --depth)"
    )
    parser.add_argument("--output", type=Path, default=SITES_FILE)
    parser.add_argument(
        "--rebuild",
        action="store_true",
        help="run nothing: recompute the snapshot's sites from the kept reports",
    )
    ns = parser.parse_args()
    config = load()
    snapshot: dict[str, Any] = {"projects": {}}
    if ns.output.is_file():  # refreshing some projects keeps the others
        snapshot = json.loads(ns.output.read_text(encoding="utf-8"))
    if ns.rebuild:
        return rebuild(config, ns.names, snapshot, ns.output)
    failed = []
    for project in config.select(ns.names):
        print(f"{project.slug}: tracing (at most {project.timeout} s) ...", flush=True)
        try:
            entry = trace_project(config, project, ns.depth)
        except (RuntimeError, subprocess.CalledProcessError, OSError) as exc:
            print(f"{project.slug}: FAILED: {exc}", file=sys.stderr, flush=True)
            failed.append(project.slug)
            continue
        snapshot["projects"][project.name] = entry
        libs = sum(s["code"] == "library" for s in entry["sites"])
        print(
            f"{project.slug}: exit {entry['exit_code']}, {entry['wall_time']} s, tests "
            f"{entry['tests']}, {len(entry['sites'])} sites ({libs} library), "
            f"left out {entry['left_out']}",
            flush=True,
        )
        # written after each project, so an interrupted run keeps what it did
        known = {p.name for p in config.projects}
        snapshot["projects"] = {k: v for k, v in sorted(snapshot["projects"].items()) if k in known}
        snapshot["updated"] = datetime.date.today().isoformat()
        ns.output.write_text(json.dumps(snapshot, indent=1) + "\n", encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
