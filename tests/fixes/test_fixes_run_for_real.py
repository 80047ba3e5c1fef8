"""Fixes, run for real: the fixed module returns what the original did and leaks nothing.

Each scenario in realrun/scenarios is a small leaky module with ``run(workdir, server_addr)``.
realrun/probe.py imports a module from its path in a child interpreter started with
``-X dev -W error::ResourceWarning``, calls ``run()`` on temporary files, a 127.0.0.1 server, a
sqlite3 database or child processes, collects garbage, and reports the result and every leak it
can see (ResourceWarnings, descriptors, threads, unreaped children, held locks, pending tasks
destroyed by the collector). For each scenario and interpreter (3.11 and 3.13):

- the original leaks, in the way the scenario predicts;
- the hand-written fix in realrun/expected returns the expected result and leaks nothing (this
  proves the harness independently of the engine);
- the engine's fix (``fix_source``) changes the text, compiles, no longer has the original's
  findings, returns the expected result and leaks nothing; its text is equivalent (same AST)
  to the hand-written one.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pythons import python_or_skip
from unleak.pipeline.api import check_source
from unleak.settings import Settings

REALRUN = Path(__file__).resolve().parent / "realrun"
PROBE = REALRUN / "probe.py"
PROBE_TIMEOUT = 60


# --- the scenarios ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    name: str
    codes: frozenset[str]  # what the engine reports on the original (and the fix removes)
    leaks: tuple[str, ...]  # what the probe sees on the original: "kind:substring"
    result: Any  # what run() returns (after a JSON round trip) once fixed
    server: bool = False
    unsafe: bool = False
    # The original does not return `result` (its defect hides the real error), if set:
    original_result: dict[str, Any] | None = field(default=None)


SCENARIOS = [
    Scenario(
        "header_file",
        frozenset({"UL101"}),
        ("warning:unclosed file", "warning:empty.csv", "warning:broken.csv"),
        {
            "people.csv": [{"name": "ada", "age": "36"}, {"name": "alan", "age": "41"}],
            "empty.csv": None,
            "broken.csv": "broken.csv: bad record 'ada'",
        },
    ),
    # The engine releases this file in `finally` rather than wrapping it in `with` (it does not
    # count `[first, *f]` as a borrowing use); realrun/expected keeps the engine's version.
    Scenario(
        "early_return_file",
        frozenset({"UL101"}),
        ("warning:unclosed file", "warning:defaults.conf"),
        {"app": {"host": "example.invalid", "port": "8080"}, "defaults": {}},
    ),
    Scenario(
        "socket_client",
        frozenset({"UL102"}),
        ("warning:unclosed <socket.socket",),
        {"alpha": "1", "missing": None, "beta": "2"},
        server=True,
    ),
    # The engine adds `import contextlib` after the last import; expected keeps that order.
    Scenario(
        "sqlite_with",
        frozenset({"UL103"}),
        ("warning:unclosed database",),
        {"total": 75, "rejected": ["negative quantity for screw"]},
    ),
    Scenario(
        "inline_use",
        frozenset({"UL101"}),
        ("warning:manifest.json", "warning:page.tmpl"),
        {"manifest": {"name": "demo", "files": ["a.txt", "b.txt"]}, "page": "<h1>demo</h1>\n"},
    ),
    Scenario(
        "os_fd",
        frozenset({"UL102"}),
        ("fd:short.rec", "fd:other.rec"),
        {"good.rec": 7, "short.rec": "error", "other.rec": "ValueError"},
    ),
    Scenario(
        "lock_counter",
        frozenset({"UL105"}),
        ("lock:_lock",),
        {"totals": {"apples": 7, "pears": 2}, "rejected": ["pears"]},
    ),
    Scenario(
        "unbound_finally",
        frozenset({"UL104"}),
        ("raised:UnboundLocalError",),
        {"present.txt": 3, "missing.txt": "error: No such file or directory"},
        original_result={"raised": "UnboundLocalError"},
    ),
    Scenario(
        "dropped_task",
        frozenset({"UL108"}),
        ("asyncio:Task was destroyed but it is pending",),
        {"handled": 2, "delivered": ["created", "updated"]},
    ),
    Scenario(
        "popen_version",
        frozenset({"UL101"}),
        ("child:", "warning:subprocess", "warning:unclosed file"),
        {"version": "2.4.1"},
        unsafe=True,
    ),
]
BY_NAME = {s.name: s for s in SCENARIOS}


def test_every_scenario_file_is_listed() -> None:
    on_disk = {p.stem for p in (REALRUN / "scenarios").glob("*.py")}
    assert on_disk == set(BY_NAME)
    assert {p.stem for p in (REALRUN / "expected").glob("*.py")} == on_disk


# --- interpreters (found by tests/pythons.py) ------------------------------------------------

INTERPRETERS = ["3.11", "3.13"]
# CI must run the fixes under these; elsewhere a missing one is a skip.
REQUIRED_UNDER_CI = frozenset({"3.13"})


def python(version: str) -> str:
    return python_or_skip(version, required_under_ci=version in REQUIRED_UNDER_CI)


# --- running the probe -----------------------------------------------------------------------


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}


def probe(version: str, module: Path, server: bool) -> dict[str, Any]:
    """Run realrun/probe.py on `module` under Python `version`; its JSON report."""
    with tempfile.TemporaryDirectory(prefix="unleak-probe-") as tmp:
        out = Path(tmp) / "report.json"
        command = [python(version), "-X", "dev", "-W", "error::ResourceWarning", str(PROBE)]
        command += [str(module), "--out", str(out)] + (["--server"] if server else [])
        proc = subprocess.run(
            command,
            cwd=tmp,
            env=_clean_env(),
            capture_output=True,
            text=True,
            timeout=PROBE_TIMEOUT,
        )
        assert proc.returncode == 0, proc.stderr
        report: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    report["stderr"] = proc.stderr
    return report


_reports: dict[tuple[str, str, str], dict[str, Any]] = {}


def cached_probe(version: str, kind: str, scenario: Scenario, text: str) -> dict[str, Any]:
    """The probe's report for `text` (the `kind` of `scenario`), run once per session."""
    key = (version, kind, scenario.name)
    if key not in _reports:
        with tempfile.TemporaryDirectory(prefix="unleak-fixed-") as tmp:
            module = Path(tmp) / f"{scenario.name}.py"
            module.write_text(text, encoding="utf-8")
            _reports[key] = probe(version, module, scenario.server)
    return _reports[key]


# --- what a report shows ---------------------------------------------------------------------

LEAK_FIELDS = {
    "warning": "resource_warnings",
    "asyncio": "asyncio_errors",
    "fd": "fds",
    "lock": "locks",
    "child": "children",
    "thread": "threads",
    "unraisable": "unraisable",
}


def observed(report: dict[str, Any], leak: str) -> bool:
    kind, _, needle = leak.partition(":")
    if kind == "raised":
        return report["result"].get("raised", "").startswith(needle)
    return any(needle in entry for entry in report[LEAK_FIELDS[kind]])


def leaks(report: dict[str, Any]) -> dict[str, list[str]]:
    return {kind: report[name] for kind, name in LEAK_FIELDS.items() if report[name]}


def describe(report: dict[str, Any]) -> str:
    shown = {k: v for k, v in report.items() if k not in ("stderr", "traceback")}
    return json.dumps(shown, indent=2) + "\n" + report.get("traceback", "") + report["stderr"]


def assert_clean(report: dict[str, Any], scenario: Scenario) -> None:
    assert report["result"] == {"value": scenario.result}, describe(report)
    assert leaks(report) == {}, describe(report)


def codes(text: str, path: str) -> set[str]:
    return {f.code for f in check_source(text, path)}


def source(kind: str, scenario: Scenario) -> str:
    return (REALRUN / kind / f"{scenario.name}.py").read_text(encoding="utf-8")


# --- the original leaks ----------------------------------------------------------------------

parametrize = pytest.mark.parametrize(
    ("scenario", "version"),
    [pytest.param(s, v, id=f"{s.name}-py{v}") for s in SCENARIOS for v in INTERPRETERS],
)


@parametrize
def test_original_leaks(scenario: Scenario, version: str) -> None:
    text = source("scenarios", scenario)
    assert scenario.codes <= codes(text, f"{scenario.name}.py")
    report = cached_probe(version, "original", scenario, text)
    for leak in scenario.leaks:
        assert observed(report, leak), f"expected {leak!r}:\n{describe(report)}"
    if scenario.original_result is None:
        assert report["result"] == {"value": scenario.result}, describe(report)


# --- the hand-written fix is clean (proves the harness) --------------------------------------


@parametrize
def test_hand_written_fix_is_clean(scenario: Scenario, version: str) -> None:
    text = source("expected", scenario)
    assert not scenario.codes & codes(text, f"{scenario.name}.py")
    assert_clean(cached_probe(version, "expected", scenario, text), scenario)


# --- the engine's fix ------------------------------------------------------------------------


def _fix_source() -> Callable[..., Any]:
    try:
        from unleak.pipeline.fix_loop import fix_source
    except ImportError as exc:  # the fix application API is not there yet
        pytest.skip(f"unleak.pipeline.fix_loop.fix_source is not available: {exc}")
    return fix_source


_fixed: dict[str, str] = {}


def engine_fix(scenario: Scenario) -> str:
    fix_source = _fix_source()
    if scenario.name not in _fixed:
        original = source("scenarios", scenario)
        result = fix_source(original, f"{scenario.name}.py", Settings(), unsafe=scenario.unsafe)
        _fixed[scenario.name] = result.text
    return _fixed[scenario.name]


@parametrize
def test_engine_fix_runs_clean(scenario: Scenario, version: str) -> None:
    fixed = engine_fix(scenario)
    assert fixed != source("scenarios", scenario)
    compile(fixed, f"{scenario.name}.py", "exec")
    assert not scenario.codes & codes(fixed, f"{scenario.name}.py"), fixed
    assert_clean(cached_probe(version, "engine", scenario, fixed), scenario)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_engine_fix_matches_hand_written(scenario: Scenario) -> None:
    """Same code as realrun/expected (comments and layout aside)."""
    fixed = engine_fix(scenario)
    expected = source("expected", scenario)
    assert ast.dump(ast.parse(fixed)) == ast.dump(ast.parse(expected)), fixed


def test_unsafe_fix_needs_unsafe() -> None:
    """Without unsafe=True the Popen scenario keeps its finding: `with Popen` waits."""
    fix_source = _fix_source()
    original = source("scenarios", BY_NAME["popen_version"])
    result = fix_source(original, "popen_version.py", Settings())
    assert result.text == original


def test_cli_fix_writes_the_same_text() -> None:
    """`unleak check --fix --unsafe-fixes` on copies of the scenarios writes fix_source's text."""
    _fix_source()
    server = Path(__file__).resolve().parents[2] / "server"
    env = {**_clean_env(), "PYTHONPATH": str(server)}
    with tempfile.TemporaryDirectory(prefix="unleak-cli-fix-") as tmp:
        project = Path(tmp)
        (project / "pyproject.toml").write_text("[tool.unleak]\n", encoding="utf-8")
        for scenario in SCENARIOS:
            (project / f"{scenario.name}.py").write_text(source("scenarios", scenario), "utf-8")
        command = [sys.executable, "-m", "unleak", "check", "--fix", "--unsafe-fixes"]
        proc = subprocess.run(
            [*command, "--no-cache", "--exit-zero", "."],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=PROBE_TIMEOUT,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        for scenario in SCENARIOS:
            written = (project / f"{scenario.name}.py").read_text(encoding="utf-8")
            assert written == engine_fix(scenario), scenario.name


# --- the probe itself ------------------------------------------------------------------------

PROBE_SELF_TEST = """
import threading

stop = threading.Event()


class Holder:
    def __del__(self):
        raise RuntimeError("boom in __del__")


def run(workdir, server_addr):
    threading.Thread(target=stop.wait, args=(30,), name="left-behind", daemon=True).start()
    Holder()
    return [workdir is not None, server_addr is None]
"""


@pytest.mark.parametrize("version", INTERPRETERS)
def test_probe_sees_threads_and_unraisable_exceptions(version: str) -> None:
    with tempfile.TemporaryDirectory(prefix="unleak-probe-self-") as tmp:
        module = Path(tmp) / "self_test.py"
        module.write_text(PROBE_SELF_TEST, encoding="utf-8")
        report = probe(version, module, server=False)
    assert report["result"] == {"value": [True, True]}, describe(report)
    assert report["threads"] == ["left-behind"], describe(report)
    assert any("boom in __del__" in u for u in report["unraisable"]), describe(report)
    assert report["python"].startswith(version + "."), report["python"]
