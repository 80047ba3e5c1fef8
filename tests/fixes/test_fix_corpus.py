"""The run-for-real corpus of fixes: every scenario in corpus/scenarios runs before and after
`unleak check --fix` and `unleak check --fix --unsafe-fixes`, under Python 3.13 with ``-X dev``,
each run in a fresh process through corpus/probe.py, which reports the result (value, exception,
printed output) and every leak it can see: ResourceWarnings, descriptors, threads, child
processes, held locks and ``flock``s, objects only a finalizer closed, pending tasks destroyed.

For each scenario (its expectations are ``# corpus:`` lines in its header, see corpus/README.md):

- the original behaves as declared: it leaks (the declared kinds) or it does not;
- ``--fix``: with ``safe_fix = "expected"`` the file must change; with ``"none"`` it must not
  (a safe fix there would change behaviour); whenever it changes, the fixed file keeps the
  result, the exceptions and the output, keeps its line endings and leaks nothing;
- ``--fix --unsafe-fixes``: where it changes more than ``--fix`` did, the result is kept
  (unless ``unsafe_result = "any"``), nothing leaks, and every unsafe fix offered says what
  changes (``unsafe_note`` is the words it must use); with ``unsafe_note`` an unsafe fix is
  expected.

What fails today is listed once, in KNOWN_FAILURES (strict xfail: once the engine gets a
scenario right, the XPASS fails the run and the entry must go). Regenerate the list with
``.venv/bin/python tests/fixes/test_fix_corpus.py --write`` (``--help`` for more).

The corpus runs once per session in a pool of processes (25 s on two idle cores; `-k NAME` runs
just the selected scenarios). It is skipped without Python 3.13 (named by UNLEAK_CORPUS_PYTHON,
or found by tests/pythons.py: on PATH, under $PYENV_ROOT, `pyenv root` or ~/.pyenv), and fails
without it under CI.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import difflib
import functools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

if __name__ == "__main__":  # run as a script: tests/pythons.py is not on the path yet
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from pythons import find_python, python_or_skip

CORPUS = Path(__file__).resolve().parent / "corpus"
SCENARIO_DIR = CORPUS / "scenarios"
PROBE = CORPUS / "probe.py"
PROBE_TIMEOUT = 60
UNLEAK_TIMEOUT = 900
MIN_SCENARIOS = 120

SHAPES = {
    "derived": "a value built from the resource is used after the last statement naming it",
    "escapes": "the resource is returned, handed to an owner, guarded by `if not x: return`, "
    "or a process is fired and forgotten",
    "with-unsupported": "`with` does not work on the type (or `__enter__` returns another object)",
    "inline-open": "an inline `open()` whose hoisting is unsafe or needs care",
    "naming": "a fix needs a new name or the `closing` helper",
    "should-fix": "shapes that should get fixes",
    "plain": "plain leaks of every family, context and layout",
}
CONTEXTS = ("function", "method", "async", "generator", "script", "main", "class-body")
LAYOUTS = ("tabs", "crlf", "2-space", "comments", "continuation")
FAMILIES = (
    "file", "socket", "subprocess", "sqlite3", "lock", "semaphore", "tempfile", "zip", "tar",
    "gzip", "bz2", "lzma", "mmap", "selector", "executor", "pool", "task", "shelve", "dbm",
    "fd", "pipe", "http", "pop3", "logging", "exitstack", "stream",
)  # fmt: skip
LEAK_FIELDS = {
    "warning": "resource_warnings",
    "asyncio": "asyncio_errors",
    "fd": "fds",
    "lock": "locks",
    "flock": "flocks",
    "child": "children",
    "thread": "threads",
    "finalized": "finalized",
    "unraisable": "unraisable",
}

# BEGIN KNOWN FAILURES (regenerate: .venv/bin/python tests/fixes/test_fix_corpus.py --write)
KNOWN_FAILURES: dict[str, str] = {
    "escape_multipart_encoder_init::safe": (
        "unchanged: no safe fix applied (one is expected); unleak reports nothing"
    ),
    "with_filehandler_method::safe": (
        "unchanged: no safe fix applied (one is expected); unleak reports UL102:18 (no fix)"
    ),
}
# END KNOWN FAILURES


# --- the scenarios ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    name: str
    path: Path
    shape: str
    tags: tuple[str, ...]
    leaks_before: bool
    safe_fix: str  # "expected" | "none" | "any"
    leak: tuple[str, ...] = ()  # "kind:substring" the original must show
    unsafe_note: str | None = None  # an unsafe fix is expected and says this
    unsafe_result: str = "same"  # "same" | "any"
    server: str | None = None  # "line" | "pop3" | "http"
    run: str = "function"  # "function" | "script"


HEADER = re.compile(r"^#\s*corpus:\s*(\w+)\s*=\s*(.+?)\s*$")
REQUIRED = {"shape", "tags", "leaks_before", "safe_fix"}


def parse_scenario(path: Path) -> Scenario:
    """The `# corpus: key = JSON value` lines of `path`."""
    values: dict[str, Any] = {}
    for line in path.read_bytes().decode("utf-8").splitlines():
        match = HEADER.match(line)
        if match:
            values[match[1]] = json.loads(match[2])
    missing = REQUIRED - values.keys()
    assert not missing, f"{path.name}: missing corpus keys {sorted(missing)}"
    values["tags"] = tuple(values["tags"])
    values["leak"] = tuple(values.get("leak", ()))
    scenario = Scenario(name=path.stem, path=path, **values)
    assert scenario.shape in SHAPES, f"{path.name}: unknown shape {scenario.shape!r}"
    assert scenario.safe_fix in ("expected", "none", "any"), path.name
    assert scenario.unsafe_result in ("same", "any"), path.name
    assert scenario.run in ("function", "script"), path.name
    known = set(CONTEXTS) | set(LAYOUTS) | set(FAMILIES)
    assert set(scenario.tags) <= known, f"{path.name}: unknown tags {set(scenario.tags) - known}"
    for leak in scenario.leak:
        assert leak.partition(":")[0] in LEAK_FIELDS, f"{path.name}: leak kind of {leak!r}"
    return scenario


@functools.cache
def scenarios() -> dict[str, Scenario]:
    return {p.stem: parse_scenario(p) for p in sorted(SCENARIO_DIR.glob("*.py"))}


NAMES = sorted(p.stem for p in SCENARIO_DIR.glob("*.py"))


# --- Python 3.13 -----------------------------------------------------------------------------


@functools.cache
def python313() -> str | None:
    """A Python 3.13 executable (UNLEAK_CORPUS_PYTHON if it is one), or None."""
    named = os.environ.get("UNLEAK_CORPUS_PYTHON")
    if named:
        try:
            out = subprocess.run(
                [named, "-c", "import sys; print(sys.version_info[:2] == (3, 13))"],
                capture_output=True,
                text=True,
                timeout=30,
            )
            if out.stdout.strip() == "True":
                return named
        except (OSError, subprocess.SubprocessError):
            pass
    return find_python("3.13")


def require_python313() -> str:
    return python313() or python_or_skip("3.13", required_under_ci=True)


# --- running unleak and the probe ------------------------------------------------------------


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}


def unleak_command() -> list[str]:
    script = Path(sys.executable).with_name("unleak")
    return [str(script)] if script.exists() else [sys.executable, "-m", "unleak"]


# This tree's engine, whatever the installed `unleak` script points at (a worktree's venv
# may be another checkout's).
SERVER = Path(__file__).resolve().parents[2] / "server"


def unleak(directory: Path, *options: str) -> subprocess.CompletedProcess[str]:
    command = [*unleak_command(), "check", "--no-cache", "--no-config", "--exit-zero"]
    return subprocess.run(
        [*command, *options, directory.name],
        cwd=directory.parent,
        env={**_clean_env(), "PYTHONPATH": str(SERVER)},
        capture_output=True,
        text=True,
        timeout=UNLEAK_TIMEOUT,
    )


def probe(python: str, module: Path, scenario: Scenario) -> dict[str, Any]:
    """corpus/probe.py's report on `module` (a version of `scenario`), in a fresh process."""
    out = module.with_suffix(".report.json")
    command = [python, "-X", "dev", "-W", "error::ResourceWarning", str(PROBE), str(module)]
    command += ["--out", str(out)]
    command += ["--server", scenario.server] if scenario.server else []
    command += ["--script"] if scenario.run == "script" else []
    started = time.monotonic()
    try:
        proc = subprocess.run(
            command,
            cwd=module.parent,
            env=_clean_env(),
            capture_output=True,
            text=True,
            timeout=PROBE_TIMEOUT,
        )
    except subprocess.TimeoutExpired as exc:
        return {"probe_error": f"timed out after {PROBE_TIMEOUT} s: {exc.stderr!r}"}
    if proc.returncode != 0 or not out.exists():
        return {"probe_error": f"exit {proc.returncode}: {proc.stderr[-2000:]}"}
    report: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    report["stderr"] = proc.stderr[-4000:]
    report["seconds"] = round(time.monotonic() - started, 2)
    return report


# --- one scenario's runs ---------------------------------------------------------------------


@dataclass
class Outcome:
    scenario: Scenario
    texts: dict[str, bytes]  # "original", "safe", "unsafe"
    reports: dict[str, dict[str, Any]] = field(default_factory=dict)
    fixes: list[dict[str, Any]] = field(default_factory=list)  # fixes offered (json output)
    findings: list[str] = field(default_factory=list)  # the original's, as "UL101:12"
    engine_errors: list[str] = field(default_factory=list)

    def changed(self, kind: str) -> bool:
        base = "original" if kind == "safe" else "safe"
        return self.texts[kind] != self.texts[base]

    def diff(self, kind: str) -> str:
        base = "original" if kind == "safe" else "safe"
        before = self.texts[base].decode("utf-8").splitlines(keepends=True)
        after = self.texts[kind].decode("utf-8").splitlines(keepends=True)
        lines = difflib.unified_diff(before, after, f"{base}.py", f"{kind}.py")
        return "".join(lines).replace("\r", "\\r")


def leaks(report: dict[str, Any]) -> dict[str, list[str]]:
    return {kind: report[name] for kind, name in LEAK_FIELDS.items() if report.get(name)}


def observed(report: dict[str, Any], leak: str) -> bool:
    kind, _, needle = leak.partition(":")
    return any(needle in entry for entry in report.get(LEAK_FIELDS[kind], []))


def short(value: Any, limit: int = 110) -> str:
    text = json.dumps(value, sort_keys=True) if not isinstance(value, str) else value
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe_result(result: dict[str, Any]) -> str:
    if "raised" in result:
        return "raised " + result["raised"]
    shown = {k: v for k, v in result.items() if v not in ("", None) or k == "value"}
    return short(shown)


def behaviour_problems(outcome: Outcome, kind: str, same_result: bool) -> list[str]:
    """What the `kind` version does wrong compared with the original: results, leaks, layout."""
    problems: list[str] = []
    original, fixed = outcome.texts["original"], outcome.texts[kind]
    if (b"\r\n" in original) and fixed.count(b"\n") != fixed.count(b"\r\n"):
        problems.append("line endings changed: CRLF file now has LF-only lines")
    report = outcome.reports[kind]
    if "probe_error" in report:
        return [*problems, "probe failed: " + short(report["probe_error"], 300)]
    before = outcome.reports["original"].get("result", {})
    after = report["result"]
    if after.get("at") == "import":
        problems.append(f"fixed module does not import: {short(after['raised'], 160)}")
    elif same_result and after != before:
        if "raised" in after and "raised" not in before:
            problems.append(f"result changed: now raises {short(after['raised'], 100)}")
        else:
            was, now = short(describe_result(before), 70), short(describe_result(after), 70)
            problems.append(f"result changed: {was} -> {now}")
    leaked_before = leaks(outcome.reports["original"])
    for leak_kind, entries in leaks(report).items():
        # The same kind as the original's: the leak was not fixed; another kind: a new one.
        what = "still leaks" if leak_kind in leaked_before else "new leak"
        problems.append(f"{what} after the fix: {leak_kind}: {short(entries, 160)}")
    return problems


def original_problems(outcome: Outcome) -> list[str]:
    scenario = outcome.scenario
    report = outcome.reports["original"]
    if "probe_error" in report:
        return ["probe failed: " + report["probe_error"]]
    problems = []
    if report["result"].get("at") == "import":
        problems.append("does not import: " + report["result"]["raised"])
    found = leaks(report)
    if scenario.leaks_before and not found:
        problems.append("declared leaky but the probe saw no leak")
    if not scenario.leaks_before and found:
        problems.append(f"declared clean but leaks: {short(found, 300)}")
    for leak in scenario.leak:
        if not observed(report, leak):
            problems.append(f"declared leak {leak!r} not seen: {short(found, 300)}")
    return problems


def safe_problems(outcome: Outcome) -> list[str]:
    scenario = outcome.scenario
    problems = [f"unleak: {e}" for e in outcome.engine_errors]
    if not outcome.changed("safe"):
        if scenario.safe_fix == "expected":
            reported = ", ".join(outcome.findings) or "nothing"
            problems.append(f"no safe fix applied (one is expected); unleak reports {reported}")
        return problems
    behaviour = behaviour_problems(outcome, "safe", same_result=True)
    if scenario.safe_fix == "none":
        problems.append("a safe fix was applied where none is expected")
    return problems + behaviour


def unsafe_descriptions(outcome: Outcome) -> list[str]:
    return sorted({f["description"] for f in outcome.fixes if not f["safe"]})


def unsafe_problems(outcome: Outcome) -> list[str]:
    scenario = outcome.scenario
    problems = [f"unleak: {e}" for e in outcome.engine_errors]
    note = scenario.unsafe_note
    if not outcome.changed("unsafe"):
        if note:
            problems.append(f"no unsafe fix applied (one saying {note!r} is expected)")
        return problems
    descriptions = unsafe_descriptions(outcome)
    if not descriptions:
        problems.append("--unsafe-fixes changed the file but no unsafe fix was offered")
    undescribed = [d for d in descriptions if "unsafe" not in d.lower()]
    if undescribed:
        problems.append(f"unsafe fix does not say what changes: {short(undescribed)}")
    if note and not any(note.lower() in d.lower() for d in descriptions):
        problems.append(f"no unsafe fix description says {note!r}: {short(descriptions)}")
    same = scenario.unsafe_result == "same"
    return problems + behaviour_problems(outcome, "unsafe", same_result=same)


def what_the_fix_did(outcome: Outcome, kind: str) -> str:
    return "fixed" if outcome.changed(kind) else "unchanged"


# --- the whole corpus ------------------------------------------------------------------------


def _jobs() -> int:
    # The probes mostly wait (servers, children, grace periods): one more than the cores.
    return int(os.environ.get("UNLEAK_CORPUS_JOBS", 0)) or (os.cpu_count() or 2) + 1


def _findings_by_file(proc: subprocess.CompletedProcess[str]) -> dict[str, list[dict[str, Any]]]:
    """`unleak check --format json` output: each file's findings, each fix without its edits."""
    found: dict[str, list[dict[str, Any]]] = {}
    for finding in json.loads(proc.stdout or "[]"):
        fix = dict(finding.get("fix") or {})
        fix.pop("edits", None)
        entry = {"code": finding["code"], "line": finding["line"], "fix": fix or None}
        found.setdefault(Path(finding["path"]).stem, []).append(entry)
    return found


def _fixes(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"code": f["code"], "line": f["line"], **f["fix"]} for f in findings if f["fix"]]


def run_corpus(names: list[str] | None = None) -> dict[str, Outcome]:
    """Fix and run every scenario (or those named); one Outcome per scenario."""
    python = python313()
    assert python is not None, "Python 3.13 is not installed"
    chosen = [s for n, s in scenarios().items() if names is None or n in names]
    with tempfile.TemporaryDirectory(prefix="unleak-corpus-") as tmp:
        root = Path(tmp)
        dirs = {kind: root / kind for kind in ("original", "safe", "unsafe")}
        for directory in dirs.values():
            directory.mkdir()
            for s in chosen:
                shutil.copyfile(s.path, directory / s.path.name)
        outcomes = {s.name: Outcome(s, {"original": s.path.read_bytes()}) for s in chosen}
        with concurrent.futures.ThreadPoolExecutor(_jobs()) as pool:
            # The originals run while the engine fixes the copies.
            futures = {
                (s.name, "original"): pool.submit(probe, python, dirs["original"] / s.path.name, s)
                for s in chosen
            }
            engine = [
                pool.submit(unleak, dirs["safe"], "--fix"),
                pool.submit(unleak, dirs["unsafe"], "--fix", "--unsafe-fixes"),
                pool.submit(unleak, dirs["original"], "--format", "json", "--unsafe-fixes"),
            ]
            fixed_safe, fixed_unsafe, offered = (f.result() for f in engine)
            offered_after = unleak(dirs["safe"], "--format", "json", "--unsafe-fixes")
            for proc in (fixed_safe, fixed_unsafe, offered, offered_after):
                for outcome in outcomes.values():
                    outcome.engine_errors += [
                        line
                        for line in proc.stderr.splitlines()
                        if outcome.scenario.path.name in line
                    ]
                if proc.returncode not in (0, 1):
                    failed = "unleak failed: " + proc.stderr[-1000:]
                    for outcome in outcomes.values():
                        outcome.engine_errors.append(failed)
            before, after = _findings_by_file(offered), _findings_by_file(offered_after)
            for s in chosen:
                outcome = outcomes[s.name]
                outcome.fixes = _fixes(before.get(s.name, []) + after.get(s.name, []))
                outcome.findings = [
                    f"{f['code']}:{f['line']}{'' if f['fix'] else ' (no fix)'}"
                    for f in before.get(s.name, [])
                ]
                for kind in ("safe", "unsafe"):
                    outcome.texts[kind] = (dirs[kind] / s.path.name).read_bytes()
                for kind in ("safe", "unsafe"):
                    if outcome.changed(kind):
                        module = dirs[kind] / s.path.name
                        futures[(s.name, kind)] = pool.submit(probe, python, module, s)
            for (name, kind), future in futures.items():
                outcomes[name].reports[kind] = future.result()
        for outcome in outcomes.values():  # an unchanged version behaves as its base
            outcome.reports.setdefault("safe", outcome.reports["original"])
            outcome.reports.setdefault("unsafe", outcome.reports["safe"])
    return outcomes


@functools.cache
def _corpus(names: frozenset[str]) -> dict[str, Outcome]:
    return run_corpus(sorted(names))


@pytest.fixture(scope="session")
def corpus(request: pytest.FixtureRequest) -> dict[str, Outcome]:
    """Every outcome the selected tests need, computed once (`-k NAME` runs just that one)."""
    require_python313()
    # Only this module's tests: another test's parameter may also be called `name` (or be
    # an empty parameter set, whose value is no scenario).
    selected = frozenset(
        item.callspec.params["name"]
        for item in request.session.items
        if getattr(item, "module", None) is sys.modules[__name__]
        and isinstance(getattr(getattr(item, "callspec", None), "params", {}).get("name"), str)
    )
    return _corpus(selected or frozenset(NAMES))


def details(outcome: Outcome, kind: str) -> str:
    shown = {}
    for k in ("original", kind):
        report = outcome.reports[k]
        shown[k] = {key: v for key, v in report.items() if key not in ("stderr", "python")}
    return (
        f"\n--- diff ({kind}):\n{outcome.diff(kind) or '(none)'}"
        f"\n--- findings on the original: {', '.join(outcome.findings) or 'none'}"
        f"\n--- fixes offered:\n{json.dumps(outcome.fixes, indent=1)}"
        f"\n--- reports:\n{json.dumps(shown, indent=1, sort_keys=True)}"
        f"\n--- stderr ({kind}):\n{outcome.reports[kind].get('stderr', '')}"
    )


# --- the tests -------------------------------------------------------------------------------


def _params(mode: str) -> list[Any]:
    params: list[Any] = []
    for name in NAMES:
        reason = KNOWN_FAILURES.get(f"{name}::{mode}")
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        params.append(pytest.param(name, marks=marks, id=name))
    return params


def test_python313_is_available() -> None:
    require_python313()


def test_corpus_covers_every_shape_context_layout_and_family() -> None:
    found = scenarios()
    assert len(found) >= MIN_SCENARIOS
    shapes = Counter(s.shape for s in found.values())
    assert set(shapes) == set(SHAPES), shapes
    assert min(shapes.values()) >= 5, shapes
    tags = Counter(t for s in found.values() for t in s.tags)
    for tag in (*CONTEXTS, *LAYOUTS):
        # generators and class bodies are extras; the issue asks for the others
        assert tags[tag] >= (2 if tag in ("generator", "class-body") else 3), (tag, tags[tag])
    plain_families = {t for s in found.values() if s.shape == "plain" for t in s.tags}
    assert set(FAMILIES) - {"http", "pop3", "logging", "exitstack"} <= plain_families
    assert set(FAMILIES) <= set(tags), set(FAMILIES) - set(tags)


@pytest.mark.parametrize("name", NAMES)
def test_tags_match_the_source(name: str) -> None:
    scenario = scenarios()[name]
    data = scenario.path.read_bytes()
    text = data.decode("utf-8")
    tags = set(scenario.tags)
    assert ("crlf" in tags) == (b"\r\n" in data), "crlf"
    if "crlf" in tags:
        assert data.count(b"\n") == data.count(b"\r\n"), "mixed line endings"
    assert ("tabs" in tags) == bool(re.search(r"^\t+\S", text, re.M)), "tabs"
    two_space = re.search(r":[ \t]*(#.*)?\r?\n  \S", text)  # a block indented by two
    assert ("2-space" in tags) == bool(two_space), "2-space"
    assert ("script" in tags or "main" in tags) == (scenario.run == "script"), "script"
    assert ("main" in tags) == ('if __name__ == "__main__":' in text), "main"
    assert ("async" in tags) <= ("async def" in text), "async"
    if scenario.run == "function":
        assert re.search(r"^(async )?def run\(workdir, server_addr\):", text, re.M), "run()"
    assert bool(scenario.leak) <= scenario.leaks_before
    assert (scenario.server is not None) <= (scenario.server in ("line", "pop3", "http"))


def test_known_failures_name_real_scenarios() -> None:
    for key in KNOWN_FAILURES:
        name, _, mode = key.partition("::")
        assert name in NAMES and mode in ("safe", "unsafe"), key


@pytest.mark.parametrize("name", NAMES)
def test_original_behaves_as_declared(name: str, corpus: dict[str, Outcome]) -> None:
    outcome = corpus[name]
    problems = original_problems(outcome)
    assert not problems, "\n".join(problems) + details(outcome, "safe")


@pytest.mark.parametrize("name", _params("safe"))
def test_safe_fix_keeps_behaviour_and_leaks_nothing(name: str, corpus: dict[str, Outcome]) -> None:
    outcome = corpus[name]
    problems = safe_problems(outcome)
    assert not problems, "\n".join(problems) + details(outcome, "safe")


@pytest.mark.parametrize("name", _params("unsafe"))
def test_unsafe_fix_says_what_changes_and_leaks_nothing(
    name: str, corpus: dict[str, Outcome]
) -> None:
    outcome = corpus[name]
    problems = unsafe_problems(outcome)
    assert not problems, "\n".join(problems) + details(outcome, "unsafe")


# --- regenerating KNOWN_FAILURES -------------------------------------------------------------


VOLATILE = [
    (re.compile(r"0x[0-9a-f]+"), "0x…"),  # addresses
    (re.compile(r"\b(fd=|pid |subprocess )\d+"), r"\1…"),
    (re.compile(r"\b\d+ \((?=[A-Z]\))"), "… ("),  # child pid and state
    (re.compile(r"(\('127\.0\.0\.1', )\d+"), r"\1…"),  # ports
    (re.compile(r"\btmp[a-z0-9_]{8}\b"), "tmp…"),  # tempfile names
]


def stable(text: str) -> str:
    """`text` without what differs from run to run, so that a regenerated list diffs cleanly."""
    for pattern, replacement in VOLATILE:
        text = pattern.sub(replacement, text)
    return text


def failures(outcomes: dict[str, Outcome]) -> dict[str, str]:
    """`name::mode` -> the first problem, for every scenario that fails today."""
    found: dict[str, str] = {}
    for name, outcome in sorted(outcomes.items()):
        for mode, check in (("safe", safe_problems), ("unsafe", unsafe_problems)):
            problems = check(outcome)
            if problems:
                did = what_the_fix_did(outcome, mode)
                found[f"{name}::{mode}"] = short(stable(f"{did}: " + "; ".join(problems)), 200)
    return found


def _chunks(text: str, width: int) -> list[str]:
    """`text` cut after spaces into pieces whose literals are at most `width` long."""
    pieces, current = [], ""
    for word in re.findall(r"\S*\s*", text):
        if current and len(_literal(current + word)) > width:
            pieces.append(current)
            current = ""
        current += word
    return [*pieces, current] if current else pieces


def _literal(text: str) -> str:
    """A Python string literal, quoted as the formatter would quote it."""
    if '"' in text and "'" not in text:
        return repr(text)
    return json.dumps(text, ensure_ascii=False)  # a valid Python string literal too


def render_known_failures(found: dict[str, str]) -> str:
    """The KNOWN_FAILURES assignment, within the line length the linter allows."""
    if not found:
        return "KNOWN_FAILURES: dict[str, str] = {}"
    lines = ["KNOWN_FAILURES: dict[str, str] = {"]
    for key, reason in sorted(found.items()):
        line = f"    {_literal(key)}: {_literal(reason)},"
        if len(line) <= 100:
            lines.append(line)
            continue
        lines.append(f"    {_literal(key)}: (")
        lines += [f"        {_literal(piece)}" for piece in _chunks(reason, 90)]
        lines.append("    ),")
    return "\n".join([*lines, "}"])


def write_known_failures(found: dict[str, str]) -> None:
    path = Path(__file__)
    text = path.read_text(encoding="utf-8")
    pattern = re.compile(r"(# BEGIN KNOWN FAILURES[^\n]*\n).*?(\n# END KNOWN FAILURES)", re.S)
    new = pattern.sub(lambda m: m[1] + render_known_failures(found) + m[2], text, count=1)
    path.write_text(new, encoding="utf-8")


def table(outcomes: dict[str, Outcome]) -> str:
    rows = ["scenario | shape | original | --fix | --unsafe-fixes | problems"]
    for name, o in sorted(outcomes.items(), key=lambda kv: (kv[1].scenario.shape, kv[0])):
        leaked = "leaks" if leaks(o.reports["original"]) else "clean"
        bad = original_problems(o) + safe_problems(o) + unsafe_problems(o)
        rows.append(
            f"{name} | {o.scenario.shape} | {leaked} | {what_the_fix_did(o, 'safe')} | "
            f"{what_the_fix_did(o, 'unsafe')} | {'; '.join(bad) or 'ok'}"
        )
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description="Run the fix corpus outside pytest.")
    parser.add_argument("--write", action="store_true", help="rewrite KNOWN_FAILURES in place")
    parser.add_argument("--only", nargs="*", help="just these scenarios (no --write)")
    parser.add_argument("--show", action="store_true", help="diffs and reports of failures")
    parser.add_argument("--json", metavar="PATH", help="write every outcome as JSON")
    args = parser.parse_args()
    if python313() is None:
        print("Python 3.13 is not installed", file=sys.stderr)
        return 2
    started = time.monotonic()
    outcomes = run_corpus(args.only or None)
    elapsed = time.monotonic() - started
    print(table(outcomes))
    found = failures(outcomes)
    broken = {n: p for n, o in outcomes.items() if (p := original_problems(o))}
    if args.show:
        for key in sorted(found):
            name, _, mode = key.partition("::")
            print(f"\n===== {key}: {found[key]}{details(outcomes[name], mode)}")
    if args.json:
        dump = {
            n: {"texts": {k: v.decode() for k, v in o.texts.items()}, "reports": o.reports,
                "fixes": o.fixes, "findings": o.findings,
                "failures": {k: v for k, v in found.items()
                                               if k.startswith(n + "::")}}
            for n, o in outcomes.items()
        }  # fmt: skip
        Path(args.json).write_text(json.dumps(dump, indent=1), encoding="utf-8")
    print(f"\n{len(outcomes)} scenarios in {elapsed:.0f} s; {len(found)} failing fix checks")
    for name, problems in sorted(broken.items()):
        print(f"CORPUS ERROR {name}: {'; '.join(problems)}", file=sys.stderr)
    if args.write and not args.only:
        write_known_failures(found)
        print(f"KNOWN_FAILURES rewritten in {Path(__file__).name}")
    else:
        print(render_known_failures(found))
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
