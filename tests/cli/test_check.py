"""``unleak check`` end to end: real sources, real findings, every option and exit code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .helpers import CLEAN, LEAK, RunCli, no_traceback, run_subprocess, write

pytestmark = pytest.mark.engine


def test_leak_is_reported_at_the_acquisition(cli: RunCli, project: Path) -> None:
    write(project, {"a.py": LEAK, "b.py": CLEAN})
    result = cli("check")
    assert result.code == 1
    assert result.out == "a.py:2:9: UL101 " + result.out.split(" UL101 ", 1)[1]
    lines = result.out.splitlines()
    assert lines[1] == "Found 1 problem in 1 file."
    assert lines[2:] in ([], ["[*] 1 fixable with the `--fix` option."])
    assert result.err == ""


def test_clean_project(cli: RunCli, project: Path) -> None:
    write(project, {"a.py": CLEAN, "pkg/b.py": "x = 1\n"})
    result = cli("check")
    assert (result.code, result.out, result.err) == (0, "All checks passed!\n", "")


def test_subprocess_python_m_unleak(project: Path) -> None:
    write(project, {"src/a.py": LEAK})
    result = run_subprocess(["check", "--format", "json"], cwd=project)
    assert result.code == 1, result.err
    (item,) = json.loads(result.out)
    assert (item["path"], item["line"], item["column"], item["code"]) == ("src/a.py", 2, 9, "UL101")
    assert (item["end_line"], item["end_column"]) == (2, 16)  # `open(p)` is 7 code points
    assert item["name"] == "not-released" and item["severity"] == "warning"
    assert isinstance(item["related"], list) and item["message"]
    fix = item["fix"]
    assert fix is None or {"description", "safe", "edits"} <= set(fix)


def test_sarif_end_to_end(project: Path) -> None:
    write(project, {"a.py": LEAK})
    result = run_subprocess(["check", "--format", "sarif"], cwd=project)
    assert result.code == 1, result.err
    run = json.loads(result.out)["runs"][0]
    (res,) = run["results"]
    assert res["ruleId"] == "UL101"
    region = res["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"], region["endColumn"]) == (2, 9, 16)
    for related in res.get("relatedLocations", []):
        assert related["physicalLocation"]["region"]["startLine"] >= 1


def test_github_end_to_end(cli: RunCli, project: Path) -> None:
    write(project, {"a.py": LEAK})
    result = cli("check", "--format", "github")
    assert result.code == 1
    assert result.out.startswith(
        "::warning file=a.py,line=2,col=9,endLine=2,endColumn=16,title=UL101::UL101 "
    )


def test_syntax_error_is_a_finding_and_other_definitions_are_still_checked(
    cli: RunCli, project: Path
) -> None:
    write(project, {"a.py": "def broken(:\n    pass\n\n" + LEAK})
    result = cli("check", "--format", "json")
    found = [(d["code"], d["line"]) for d in json.loads(result.out)]
    assert found[0][0] == "UL001"
    assert ("UL101", 5) in found
    assert result.code == 1


def test_select_and_ignore_on_the_command_line(cli: RunCli, project: Path) -> None:
    write(project, {"a.py": LEAK})
    assert cli("check", "--ignore", "UL101").code == 0
    assert cli("check", "--ignore", "UL1").code == 0
    assert cli("check", "--select", "UL109").code == 0
    assert cli("check", "--select", "UL108,UL101").code == 1


def test_command_line_overrides_configured_select(cli: RunCli, project: Path) -> None:
    write(project, {"pyproject.toml": '[tool.unleak]\nselect = ["UL109"]\n', "a.py": LEAK})
    assert cli("check").code == 0
    assert cli("check", "--select", "UL101").code == 1
    write(project, {"pyproject.toml": '[tool.unleak]\nignore = ["UL101"]\n'})
    assert cli("check").code == 0
    assert cli("check", "--ignore", "UL109").code == 1
    assert cli("check", "--no-config").code == 1


CACHED_METHOD = """\
import functools


class Repo:
    @functools.lru_cache(maxsize=None)
    def blob(self, sha):
        return sha
"""


def _codes(result: object) -> list[str]:
    return [item["code"] for item in json.loads(result.out)]  # type: ignore[attr-defined]


def test_rule_off_by_default_runs_only_when_named(cli: RunCli, project: Path) -> None:
    """UL109 is off by default: a prefix does not turn it on, its full code does, through
    `--select`, `--extend-select` or `extend-select` in the configuration."""
    write(project, {"a.py": CACHED_METHOD + LEAK})
    assert _codes(cli("check", "--format", "json")) == ["UL101"]
    assert _codes(cli("check", "--format", "json", "--select", "UL1")) == ["UL101"]
    assert _codes(cli("check", "--format", "json", "--select", "UL109")) == ["UL109"]
    both = cli("check", "--format", "json", "--extend-select", "UL109")
    assert _codes(both) == ["UL109", "UL101"]
    only = cli("check", "--format", "json", "--select", "UL101", "--extend-select", "UL109")
    assert _codes(only) == ["UL109", "UL101"]
    write(project, {"pyproject.toml": '[tool.unleak]\nextend-select = ["UL109"]\n'})
    assert _codes(cli("check", "--format", "json")) == ["UL109", "UL101"]
    assert _codes(cli("check", "--format", "json", "--ignore", "UL109")) == ["UL101"]
    assert _codes(cli("check", "--format", "json", "--no-config")) == ["UL101"]


def test_configured_severity_reaches_the_output(cli: RunCli, project: Path) -> None:
    write(project, {"pyproject.toml": '[tool.unleak]\nseverity = { UL101 = "error" }\n'})
    write(project, {"a.py": LEAK})
    (item,) = json.loads(cli("check", "--format", "json").out)
    assert item["severity"] == "error"


def test_per_file_ignores(cli: RunCli, project: Path) -> None:
    write(
        project,
        {
            "pyproject.toml": '[tool.unleak]\nper-file-ignores = { "tests/*.py" = ["UL101"] }\n',
            "src/a.py": LEAK,
            "tests/test_a.py": LEAK,
        },
    )
    paths = [d["path"] for d in json.loads(cli("check", "--format", "json").out)]
    assert paths == ["src/a.py"]


def test_exclude_and_gitignore(cli: RunCli, project: Path) -> None:
    write(
        project,
        {
            "pyproject.toml": '[tool.unleak]\nexclude = ["fixtures"]\n',
            ".gitignore": "generated/\n",
            "src/a.py": LEAK,
            "src/fixtures/f.py": LEAK,
            "generated/g.py": LEAK,
            ".venv/lib/v.py": LEAK,
        },
    )
    paths = [d["path"] for d in json.loads(cli("check", "--format", "json").out)]
    assert paths == ["src/a.py"]
    # Named explicitly: gitignored and default-skipped files are checked, excluded ones not.
    result = cli("check", "--format", "json", "generated/g.py", "src/fixtures/f.py")
    assert [d["path"] for d in json.loads(result.out)] == ["generated/g.py"]


def test_config_is_found_from_a_subdirectory_and_paths_stay_relative(
    cli: RunCli, project: Path
) -> None:
    write(project, {"pyproject.toml": '[tool.unleak]\nexclude = ["pkg/skip"]\n'})
    write(project, {"pkg/a.py": LEAK, "pkg/skip/b.py": LEAK})
    result = cli("check", "--format", "json", ".", cwd=project / "pkg")
    assert [d["path"] for d in json.loads(result.out)] == ["a.py"]
    assert not (project / "pkg" / ".unleak_cache").exists()
    assert (project / ".unleak_cache").is_dir()  # next to pyproject.toml


def test_stdin_filename(cli: RunCli, project: Path) -> None:
    write(
        project, {"pyproject.toml": '[tool.unleak]\nper-file-ignores = { "gen_*.py" = ["UL1"] }\n'}
    )
    result = cli("check", "--stdin-filename", "pkg/mod.py", stdin=LEAK.encode())
    assert result.code == 1
    assert result.out.startswith("pkg/mod.py:2:9: UL101 ")
    assert not (project / "pkg").exists()  # nothing read from disk
    ignored = cli("check", "--stdin-filename", "pkg/gen_x.py", stdin=LEAK.encode())
    assert (ignored.code, ignored.out) == (0, "All checks passed!\n")
    assert cli("check", "--stdin-filename", "x.py", "-", stdin=CLEAN.encode()).code == 0
    assert cli("check", "-", stdin=LEAK.encode()).out.startswith("-:2:9: UL101 ")


def test_stdin_filename_in_a_subprocess(project: Path) -> None:
    result = run_subprocess(["check", "--stdin-filename", "m.py"], project, stdin=LEAK.encode())
    assert result.code == 1 and result.out.startswith("m.py:2:9: UL101 ")


def test_stdin_filename_that_is_excluded_is_not_checked(cli: RunCli, project: Path) -> None:
    write(project, {"pyproject.toml": '[tool.unleak]\nexclude = ["vendored"]\n'})
    result = cli("check", "--stdin-filename", "vendored/x.py", stdin=LEAK.encode())
    assert result.code == 0 and "UL101" not in result.out


def test_stdin_cannot_be_combined_with_paths(cli: RunCli, project: Path) -> None:
    result = cli("check", "--stdin-filename", "x.py", "a.py")
    assert result.code == 2 and result.err.startswith("unleak: error: ")


def test_noqa_suppression(cli: RunCli, project: Path) -> None:
    write(project, {"a.py": LEAK.replace("open(p)", "open(p)  # noqa: UL101")})
    write(project, {"b.py": LEAK.replace("open(p)", "open(p)  # unleak: ignore[UL101]")})
    assert cli("check").code == 0


def test_extra_resources_from_config(cli: RunCli, project: Path) -> None:
    source = "import mylib\n\ndef f():\n    c = mylib.connect()\n    return c.query()\n"
    write(project, {"a.py": source})
    assert cli("check").code == 0  # unknown factory: not a resource
    write(
        project,
        {
            "pyproject.toml": "[tool.unleak]\n[[tool.unleak.extra-resources]]\n"
            'factory = "mylib.connect"\nrelease = ["close"]\nkind = "connection"\n'
        },
    )
    result = cli("check", "--format", "json")
    assert [(d["line"], d["column"], d["code"]) for d in json.loads(result.out)] == [
        (4, 9, "UL101")
    ]


def test_exit_codes_and_quiet(cli: RunCli, project: Path) -> None:
    write(project, {"a.py": LEAK})
    assert cli("check", "--exit-zero").code == 0
    quiet = cli("check", "--quiet")
    assert quiet.code == 1 and quiet.out.count("\n") == 1 and "Found" not in quiet.out
    write(project, {"bad.py": b"\xff\xfe\xfa = 1\n"})
    assert cli("check", "--exit-zero").code == 2  # a file that could not be checked


def test_statistics(cli: RunCli, project: Path) -> None:
    write(project, {"a.py": LEAK, "b.py": LEAK})
    result = cli("check", "--statistics")
    assert result.code == 1
    assert result.out == "2\tUL101\tnot-released\n"
    data = json.loads(cli("check", "--statistics", "--format", "json").out)
    assert data == [{"code": "UL101", "name": "not-released", "count": 2}]


def test_output_is_the_same_through_every_format_and_path(project: Path) -> None:
    write(project, {f"m{i}.py": LEAK for i in range(3)})
    result = run_subprocess(["check", "m2.py", "m0.py", "./m1.py"], project)
    assert [line.split(":")[0] for line in result.out.splitlines()[:3]] == [
        "m0.py",
        "m1.py",
        "m2.py",
    ]
    assert no_traceback(result)
