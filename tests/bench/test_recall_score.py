"""bench/recall on one tiny committed project (recall_case/): the runtime sites made from a
real unleak trace report, and score.py's recall against the current engine. No network;
one `unleak check` of two small files."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
RECALL = ROOT / "bench" / "recall"
CASE = Path(__file__).resolve().parent / "recall_case"
MODULES = ("projects", "fetch", "trace_suites", "score")  # bench/recall's scripts


@pytest.fixture
def src(tmp_path: Path) -> Path:
    """The excerpts as a source tree: tmp/src/tiny-1.0/{tiny,tests}/*.py."""
    for stored in (CASE / "src").rglob("*.py.txt"):
        target = tmp_path / "src" / stored.relative_to(CASE / "src").with_suffix("")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(stored, target)
    return tmp_path / "src"


@pytest.fixture
def recall(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, ModuleType]]:
    """bench/recall's scripts, imported as they import each other (flat, by file name)."""
    monkeypatch.syspath_prepend(str(RECALL))
    for name in MODULES:
        monkeypatch.delitem(sys.modules, name, raising=False)
    modules = {name: __import__(name) for name in MODULES}
    yield modules
    for name in MODULES:
        sys.modules.pop(name, None)


def _report(root: Path) -> dict[str, Any]:
    text = (CASE / "report.json").read_text(encoding="utf-8")
    text = text.replace("{root}", str(root)).replace("{venv}", "/venv").replace("{tmp}", "/tmp/t")
    report: dict[str, Any] = json.loads(text)
    return report


def test_the_snapshot_is_what_trace_suites_makes_of_the_report(
    src: Path, recall: dict[str, ModuleType]
) -> None:
    root = src / "tiny-1.0"
    project = recall["projects"].load(CASE / "projects.toml").projects[0]
    made = recall["trace_suites"].sites_of(project, _report(root), root)
    committed = json.loads((CASE / "sites.json").read_text(encoding="utf-8"))
    assert made == {key: committed["projects"]["tiny"][key] for key in ("sites", "left_out")}
    assert [(s["file"], s["line"], s["code"]) for s in made["sites"]] == [
        ("tests/test_store.py", 16, "test"),
        ("tiny/store.py", 7, "library"),
        ("tiny/store.py", 13, "library"),
    ]
    # the temporary path and the descriptor number are gone: a re-run gives the same text
    assert made["sites"][1]["message"].startswith("unclosed file <_io.TextIOWrapper name='/tmp/…'")
    assert "fd=…" in made["sites"][0]["message"]


def test_sites_static_analysis_cannot_be_scored_on_are_counted_apart(
    src: Path, recall: dict[str, ModuleType]
) -> None:
    root = src / "tiny-1.0"
    project = recall["projects"].load(CASE / "projects.toml").projects[0]
    report = _report(root)
    library_frame = {"file": str(root / "tiny/store.py"), "line": 7, "project": True}
    outside = {"file": "/usr/lib/python3.11/socket.py", "line": 232, "project": False}
    report["leaks"] += [
        {"kind": "memory", "message": "", "count": 1, "traceback": [library_frame]},
        {"kind": "fd", "message": "", "count": 1, "file": None, "line": None, "traceback": []},
        {"kind": "socket", "message": "", "count": 1, "traceback": [outside]},
    ]
    made = recall["trace_suites"].sites_of(project, report, root)
    assert len(made["sites"]) == 3
    assert made["left_out"] == {"memory": 1, "no allocation site": 1, "no project frame": 1}


def test_score_finds_two_of_three_sites_and_names_the_miss_with_its_cause(
    src: Path, tmp_path: Path
) -> None:
    out = tmp_path / "score.json"
    proc = subprocess.run(
        [
            sys.executable,
            str(RECALL / "score.py"),
            "--projects",
            str(CASE / "projects.toml"),
            "--sites",
            str(CASE / "sites.json"),
            "--causes",
            str(CASE / "causes.toml"),
            "--src",
            str(src),
            "--json",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(out.read_text(encoding="utf-8"))
    total = result["total"]
    assert (total["all"]["found"], total["all"]["sites"]) == (2, 3)
    assert (total["library"]["found"], total["library"]["sites"]) == (1, 2)
    assert (total["test"]["found"], total["test"]["sites"]) == (1, 1)
    by_kind = {k: (v["all"]["found"], v["all"]["sites"]) for k, v in total["by_kind"].items()}
    assert by_kind == {"file": (1, 2), "socket": (1, 1)}
    tiny = result["projects"]["tiny"]
    assert tiny["config"] == "--no-config"  # the excerpts have no [tool.unleak] of their own
    [miss] = tiny["misses"]
    assert (miss["file"], miss["line"], miss["kind"]) == ("tiny/store.py", 13, "file")
    assert miss["source"] == "return opener(path)"
    assert miss["cause"] == "opener looked up by name at run time"
    # the printed table: per project, the total, per kind, then the misses by cause
    assert "tiny-1.0" in proc.stdout
    assert "  2/3   0.67" in proc.stdout
    assert "missed, opener looked up by name at run time: 1" in proc.stdout
    assert "tiny tiny/store.py:13 file (library) x1" in proc.stdout


def test_a_finding_on_an_outer_frame_finds_the_site(recall: dict[str, ModuleType]) -> None:
    """The leaked object returned by a helper is caught where the caller drops it."""
    site = {"frames": [["tiny/store.py", 13, "dynamic_open"], ["tests/test_store.py", 11, "t"]]}
    rules_for = recall["score"].rules_for
    assert rules_for(site, {"tests/test_store.py": [(10, 11, "UL101")]}) == ["UL101"]
    assert rules_for(site, {"tests/test_store.py": [(12, 12, "UL101")]}) == []
    assert rules_for(site, {"tiny/other.py": [(13, 13, "UL101")]}) == []


def test_a_project_with_its_own_unleak_table_is_checked_with_it(
    tmp_path: Path, recall: dict[str, ModuleType]
) -> None:
    config_args = recall["score"].config_args
    (tmp_path / "pyproject.toml").write_text("[tool.black]\n", encoding="utf-8")
    assert config_args(tmp_path) == ["--no-config"]
    (tmp_path / "pyproject.toml").write_text("[tool.unleak]\nignore = []\n", encoding="utf-8")
    assert config_args(tmp_path) == []
