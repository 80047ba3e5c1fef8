"""``unleak rules``, ``--version``, usage errors, and the pre-commit hook definition."""

from __future__ import annotations

import json
from pathlib import Path

import unleak
from unleak.rules import ALL_RULES

from .helpers import RunCli, run_subprocess

ROOT = Path(__file__).resolve().parents[2]


def test_version(tmp_path: Path) -> None:
    result = run_subprocess(["--version"], tmp_path)
    assert (result.code, result.out) == (0, f"unleak {unleak.__version__}\n")


def test_rules(cli: RunCli) -> None:
    result = cli("rules")
    assert result.code == 0
    lines = result.out.splitlines()
    assert [line.split()[0] for line in lines] == [r.code for r in ALL_RULES]
    assert lines[1].split()[:3] == ["UL101", "not-released", "warning"]
    assert lines[9].endswith("(off by default: --extend-select UL109)"), lines[9]
    assert "off by default" not in "".join(lines[:9])
    data = json.loads(cli("rules", "--format", "json").out)
    assert {d["code"]: d["name"] for d in data} == {r.code: r.name for r in ALL_RULES}
    assert [d["code"] for d in data if not d["default"]] == ["UL109"]


def test_usage_errors_exit_2(cli: RunCli) -> None:
    assert cli().code == 2
    assert cli("check", "--format", "xml").code == 2
    assert cli("check", "--jobs", "-1").code == 2
    assert cli("check", "--no-config", "--config", "x.toml").code == 2
    assert cli("frobnicate").code == 2


def test_help(cli: RunCli) -> None:
    result = cli("check", "--help")
    assert result.code == 0
    for option in ("--format", "--select", "--ignore", "--stdin-filename", "--no-cache"):
        assert option in result.out


def test_pre_commit_hook() -> None:
    text = (ROOT / ".pre-commit-hooks.yaml").read_text()
    assert "- id: unleak\n" in text
    assert "entry: unleak check\n" in text
    assert "language: python\n" in text
    assert "types: [python]\n" in text
