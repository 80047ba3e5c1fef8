"""`unleak check --fix` on real projects' sources, then their own test suites before and after.

Each project is a source distribution pinned on PyPI, downloaded once (the only time the
network is used) into bench/.work/fixes/dist/ and unpacked afresh on every run into
bench/.work/fixes/original/ and bench/.work/fixes/fixed/. `--fix` rewrites the copy in
fixed/; then, for the projects whose test suites run offline with what the venv has, the
suite runs on both copies (each test's outcome recorded by a unittest result in a fresh
process) and the same tests must pass. The fixed copy must compile, and a second `--fix`
must change nothing.

    .venv/bin/python bench/fix_projects.py                # every project
    .venv/bin/python bench/fix_projects.py --only polib   # some of them
    .venv/bin/python bench/fix_projects.py --no-tests     # fixes only

Prints a table (fixes applied, files changed, tests passing before/after) and writes it as
JSON to bench/results/fix_projects.json. Exits 1 if a check fails.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
import unittest
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / ".work" / "fixes"
RESULTS = ROOT / "bench" / "results"
TEST_TIMEOUT = 900


@dataclass(frozen=True)
class Project:
    name: str  # as on PyPI
    version: str
    # unittest discovery in the unpacked tree: (start directory, file pattern); None: no suite
    # that runs offline with this venv (it needs packages or services it does not have).
    tests: tuple[str, str] | None = None


PROJECTS = (
    Project("polib", "1.2.0", ("tests", "tests.py")),
    Project("Markdown", "3.6", ("tests", "test*.py")),
    Project("docutils", "0.21.2", ("test", "test_*.py")),
    Project("mutagen", "1.47.0"),  # its tests need hypothesis
    Project("pexpect", "4.9.0"),  # its tests need ptys and a shell of their own
    Project("sh", "2.0.7"),
    Project("xlrd", "2.0.1"),
    Project("autopep8", "2.3.1"),
)


@dataclass
class Outcome:
    project: str
    version: str
    fixes: int = 0
    remaining: int = 0
    files_changed: int = 0
    unreadable: int = 0  # files unleak could not decode
    compiles: bool = True
    idempotent: bool = True
    tests_before: dict[str, int] = field(default_factory=dict)
    tests_after: dict[str, int] = field(default_factory=dict)
    newly_failing: list[str] = field(default_factory=list)
    newly_passing: list[str] = field(default_factory=list)
    seconds_fix: float = 0.0
    problems: list[str] = field(default_factory=list)


# --- sources -------------------------------------------------------------------------------


def sdist(project: Project) -> Path:
    """The project's source distribution, downloaded from PyPI the first time."""
    dist = WORK / "dist"
    dist.mkdir(parents=True, exist_ok=True)
    found = _find_sdist(dist, project)
    if found is None:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
             "--quiet", f"{project.name}=={project.version}", "-d", str(dist)],
            check=True,
        )  # fmt: skip
        found = _find_sdist(dist, project)
    assert found is not None, f"no sdist for {project.name} {project.version}"
    return found


def _find_sdist(dist: Path, project: Project) -> Path | None:
    wanted = re.compile(
        rf"{re.escape(project.name)}-{re.escape(project.version)}\.tar\.gz$".replace("\\-", "[-_]"),
        re.IGNORECASE,
    )
    return next((p for p in sorted(dist.iterdir()) if wanted.match(p.name)), None)


def unpack(archive: Path, into: Path) -> Path:
    """The archive's top directory, unpacked afresh under ``into``."""
    into.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive) as tar:
        top = tar.getnames()[0].split("/")[0]
        shutil.rmtree(into / top, ignore_errors=True)
        tar.extractall(into, filter="data")
    return into / top


# --- unleak --------------------------------------------------------------------------------


def unleak(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "server")}  # this tree's engine
    command = [sys.executable, "-m", "unleak", "check", "--no-cache", "--no-config"]
    return subprocess.run(
        [*command, "--exit-zero", *args], cwd=cwd, env=env, capture_output=True, text=True
    )


_FIXED = re.compile(r"Fixed (\d+) problems?(?:; (\d+) remaining)?")


def sources(tree: Path) -> list[str]:
    # Named one by one: walking the directory, unleak would honour this repository's
    # .gitignore, which leaves bench/.work/ out.
    return sorted(str(p.relative_to(tree)) for p in tree.rglob("*.py"))


def fix(tree: Path, outcome: Outcome) -> None:
    started = time.monotonic()
    proc = unleak("--fix", *sources(tree), cwd=tree)
    outcome.seconds_fix = round(time.monotonic() - started, 1)
    match = _FIXED.search(proc.stdout + proc.stderr)
    # Exit 2 with a summary: some files could not be read (a project's own test data of
    # broken encodings); they are counted apart.
    outcome.unreadable = len(re.findall(r": error: cannot decode", proc.stderr))
    if proc.returncode not in (0, 1) and not (match and outcome.unreadable):
        outcome.problems.append(f"unleak --fix failed: {proc.stderr[-500:]}")
        return
    outcome.fixes = int(match[1]) if match else 0
    outcome.remaining = int(match[2] or 0) if match else 0
    again = unleak("--fix", *sources(tree), cwd=tree)
    repeat = _FIXED.search(again.stdout + again.stderr)
    outcome.idempotent = not (repeat and int(repeat[1]))
    if not outcome.idempotent:
        outcome.problems.append(f"a second --fix applied {repeat[1] if repeat else '?'} more")


def compare_sources(original: Path, fixed: Path, outcome: Outcome) -> None:
    for path in sorted(fixed.rglob("*.py")):
        before = original / path.relative_to(fixed)
        data = path.read_bytes()
        if before.exists() and before.read_bytes() != data:
            outcome.files_changed += 1
            try:
                compile(data, str(path), "exec", dont_inherit=True)
            except SyntaxError as exc:
                outcome.compiles = False
                outcome.problems.append(f"{path.relative_to(fixed)} does not compile: {exc}")


# --- the projects' tests -------------------------------------------------------------------


def run_tests(tree: Path, start: str, pattern: str, out: Path) -> dict[str, str]:
    """Each test's outcome ("pass", "fail", "error", "skip", ...), run in a fresh process
    from the project's directory, whose own packages come first on the path."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(tree)
    command = [sys.executable, __file__, "--run-tests", str(tree), start, pattern, str(out)]
    proc = subprocess.run(
        command, cwd=tree, env=env, capture_output=True, text=True, timeout=TEST_TIMEOUT
    )
    if not out.exists():
        raise RuntimeError(f"the test run failed: {proc.stderr[-1500:]}")
    results: dict[str, str] = json.loads(out.read_text(encoding="utf-8"))
    return results


class _Recorder(unittest.TextTestResult):
    outcomes: dict[str, str]

    def _set(self, test: unittest.TestCase, what: str) -> None:
        self.outcomes[test.id()] = what

    def addSuccess(self, test: unittest.TestCase) -> None:
        super().addSuccess(test)
        self._set(test, "pass")

    def addFailure(self, test: unittest.TestCase, err: object) -> None:
        super().addFailure(test, err)  # type: ignore[arg-type]
        self._set(test, "fail")

    def addError(self, test: unittest.TestCase, err: object) -> None:
        super().addError(test, err)  # type: ignore[arg-type]
        self._set(test, "error")

    def addSkip(self, test: unittest.TestCase, reason: str) -> None:
        super().addSkip(test, reason)
        self._set(test, "skip")

    def addExpectedFailure(self, test: unittest.TestCase, err: object) -> None:
        super().addExpectedFailure(test, err)  # type: ignore[arg-type]
        self._set(test, "xfail")

    def addUnexpectedSuccess(self, test: unittest.TestCase) -> None:
        super().addUnexpectedSuccess(test)
        self._set(test, "xpass")


def _run_tests_here(tree: str, start: str, pattern: str, out: str) -> int:
    """The child process of `run_tests`: discover, run, write each test's outcome."""
    sys.path.insert(0, tree)
    os.chdir(tree)
    package = (Path(tree) / start / "__init__.py").exists()
    top = tree if package else None  # a plain directory of test modules is its own top
    suite = unittest.defaultTestLoader.discover(start, pattern, top_level_dir=top)
    outcomes: dict[str, str] = {}

    class Recorder(_Recorder):
        pass

    Recorder.outcomes = outcomes
    runner = unittest.TextTestRunner(stream=sys.stderr, verbosity=0, resultclass=Recorder)
    runner.run(suite)
    Path(out).write_text(json.dumps(outcomes, indent=0, sort_keys=True), encoding="utf-8")
    return 0


def count(results: dict[str, str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for what in results.values():
        counts[what] = counts.get(what, 0) + 1
    return dict(sorted(counts.items()))


def compare_tests(project: Project, original: Path, fixed: Path, outcome: Outcome) -> None:
    assert project.tests is not None
    start, pattern = project.tests
    before = run_tests(original, start, pattern, WORK / f"{project.name}.before.json")
    after = run_tests(fixed, start, pattern, WORK / f"{project.name}.after.json")
    outcome.tests_before, outcome.tests_after = count(before), count(after)
    passed_before = {t for t, r in before.items() if r == "pass"}
    passed_after = {t for t, r in after.items() if r == "pass"}
    outcome.newly_failing = sorted(passed_before - passed_after)
    outcome.newly_passing = sorted(passed_after - passed_before)
    if not before:
        outcome.problems.append("no tests ran")
    if outcome.newly_failing:
        shown = ", ".join(outcome.newly_failing[:5])
        outcome.problems.append(f"{len(outcome.newly_failing)} tests pass only before: {shown}")


# --- the whole run -------------------------------------------------------------------------


def bench(project: Project, tests: bool) -> Outcome:
    outcome = Outcome(project.name, project.version)
    archive = sdist(project)
    original = unpack(archive, WORK / "original")
    fixed = unpack(archive, WORK / "fixed")
    fix(fixed, outcome)
    compare_sources(original, fixed, outcome)
    if tests and project.tests is not None and outcome.compiles:
        try:
            compare_tests(project, original, fixed, outcome)
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            outcome.problems.append(f"tests: {exc}")
    return outcome


def table(outcomes: list[Outcome]) -> str:
    def tests(counts: dict[str, int]) -> str:
        if not counts:
            return "-"
        return f"{counts.get('pass', 0)}/{sum(counts.values())}"

    rows = [
        "project | fixes | remaining | files changed | fix s | tests passing before | after | ok",
        "--- | --- | --- | --- | --- | --- | --- | ---",
    ]
    for o in outcomes:
        rows.append(
            f"{o.project} {o.version} | {o.fixes} | {o.remaining} | {o.files_changed} | "
            f"{o.seconds_fix} | {tests(o.tests_before)} | {tests(o.tests_after)} | "
            f"{'; '.join(o.problems) or 'yes'}"
        )
    return "\n".join(rows)


def main() -> int:
    if len(sys.argv) == 6 and sys.argv[1] == "--run-tests":
        return _run_tests_here(*sys.argv[2:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", help="just these projects (PyPI names)")
    parser.add_argument("--no-tests", action="store_true", help="skip the projects' tests")
    args = parser.parse_args()
    chosen = [p for p in PROJECTS if not args.only or p.name in args.only]
    outcomes = [bench(p, not args.no_tests) for p in chosen]
    print(table(outcomes))
    total = sum(o.fixes for o in outcomes)
    suites = sum(1 for o in outcomes if o.tests_before)
    print(f"\n{total} fixes applied in {len(outcomes)} projects; {suites} test suites run")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "fix_projects.json").write_text(
        json.dumps([asdict(o) for o in outcomes], indent=1), encoding="utf-8"
    )
    return 1 if any(o.problems for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
