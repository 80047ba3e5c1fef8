"""``unleak check --fix / --unsafe-fixes / --diff``: the machinery with a stand-in engine
whose findings carry hand-made fixes, then end to end with the real engine's fixes."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import unleak.cli.analysis
import unleak.pipeline.api
from unleak.findings.model import Edit, Finding, Fix
from unleak.pipeline.api import ModuleReport
from unleak.settings import Severity
from unleak.source.spans import Span

from .helpers import LEAK, RunCli, _env, no_traceback, run_subprocess, write

# A stand-in engine: `leak()` is a finding whose safe fix makes it `safe()`, `risky()` one
# whose unsafe fix makes it `careful()`, `broken()` one whose fix breaks the syntax,
# `spread()` one whose fix brings another finding (it fails its check).
WORDS = {
    "leak()": ("safe()", True),
    "risky()": ("careful()", False),
    "broken()": ("((", True),
    "spread()": ("leak()", True),
}
LINE_BREAK = re.compile(r"\r\n|\r|\n")


def fake_analyse(text: str, path: str = "", *args: object, **kwargs: object) -> ModuleReport:
    findings = []
    for n, line in enumerate(LINE_BREAK.split(text), 1):
        for word, (replacement, safe) in WORDS.items():
            for m in re.finditer(re.escape(word), line):
                span = Span(n, m.start(), n, m.end())
                fix = Fix(f"use {replacement}", safe, (Edit(span, replacement),))
                findings.append(Finding("UL101", f"{word} leaks", span, Severity.WARNING, fix=fix))
    return ModuleReport(sorted(findings, key=Finding.sort_key))


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(unleak.pipeline.api, "analyse_source", fake_analyse)
    monkeypatch.setattr(unleak.cli.analysis, "analyse_source", fake_analyse)


pytestmark_fake = pytest.mark.usefixtures("fake")


# The machinery -----------------------------------------------------------------------------


@pytestmark_fake
def test_text_marks_fixable_findings_and_counts_them(cli: RunCli, project: Path) -> None:
    write(project, {"a.py": "a = leak()\nb = risky()\nc = 1\n"})
    result = cli("check", "--no-cache")
    assert result.code == 1
    assert result.out.splitlines() == [
        "a.py:1:5: UL101 [*] leak() leaks",
        "a.py:2:5: UL101 risky() leaks",
        "Found 2 problems in 1 file.",
        "[*] 1 fixable with the `--fix` option "
        "(1 hidden fix can be enabled with the `--unsafe-fixes` option).",
    ]
    shown = cli("check", "--no-cache", "--unsafe-fixes").out.splitlines()
    assert shown[1] == "a.py:2:5: UL101 [*] risky() leaks"
    assert shown[-1] == "[*] 2 fixable with the `--fix` option."
    write(project, {"a.py": "b = risky()\n"})
    assert cli("check", "--no-cache").out.splitlines()[-1] == (
        "No fixes available (1 hidden fix can be enabled with the `--unsafe-fixes` option)."
    )


@pytestmark_fake
def test_fix_applies_safe_fixes_in_place(cli: RunCli, project: Path) -> None:
    write(project, {"a.py": "a = leak()\nb = risky()\n", "b.py": "x = leak(); y = leak()\n"})
    result = cli("check", "--no-cache", "--fix")
    assert (project / "a.py").read_text() == "a = safe()\nb = risky()\n"
    assert (project / "b.py").read_text() == "x = safe(); y = safe()\n"
    assert result.out.splitlines() == [
        "a.py:2:5: UL101 risky() leaks",
        "Fixed 3 problems; 1 remaining.",
        "1 hidden fix can be enabled with the `--unsafe-fixes` option.",
    ]
    assert result.code == 1  # a finding remains
    assert (result.err, no_traceback(result)) == ("", True)


@pytestmark_fake
def test_unsafe_fixes_with_fix(cli: RunCli, project: Path) -> None:
    write(project, {"a.py": "a = leak()\nb = risky()\n"})
    result = cli("check", "--no-cache", "--fix", "--unsafe-fixes")
    assert (project / "a.py").read_text() == "a = safe()\nb = careful()\n"
    assert (result.code, result.out) == (0, "Fixed 2 problems; 0 remaining.\n")


@pytestmark_fake
def test_unsafe_fixes_alone_write_nothing(cli: RunCli, project: Path) -> None:
    write(project, {"a.py": "b = risky()\n"})
    assert cli("check", "--no-cache", "--unsafe-fixes").code == 1
    assert (project / "a.py").read_text() == "b = risky()\n"


@pytestmark_fake
def test_fix_exit_code_and_exit_zero(cli: RunCli, project: Path) -> None:
    write(project, {"a.py": "a = leak()\n"})
    assert cli("check", "--no-cache", "--fix").code == 0
    write(project, {"a.py": "a = leak()\nb = risky()\n"})
    assert cli("check", "--no-cache", "--fix", "--exit-zero").code == 0
    assert cli("check", "--no-cache", "--fix").code == 1


@pytestmark_fake
def test_diff_prints_the_change_and_writes_nothing(cli: RunCli, project: Path) -> None:
    source = "a = leak()\nb = 1\nc = risky()\n"
    write(project, {"a.py": source, "clean.py": "x = 1\n"})
    result = cli("check", "--no-cache", "--diff")
    assert result.code == 1
    assert result.out == (
        "--- a.py\n+++ a.py\n@@ -1,3 +1,3 @@\n-a = leak()\n+a = safe()\n b = 1\n c = risky()\n"
    )
    assert result.err == "Would fix 1 problem.\n"
    assert (project / "a.py").read_text() == source
    both = cli("check", "--no-cache", "--diff", "--unsafe-fixes")
    assert "+c = careful()\n" in both.out and both.err == "Would fix 2 problems.\n"
    # --diff wins over --fix: still nothing written.
    assert cli("check", "--no-cache", "--diff", "--fix").code == 1
    assert (project / "a.py").read_text() == source


@pytestmark_fake
def test_diff_without_changes_exits_zero(cli: RunCli, project: Path) -> None:
    write(project, {"a.py": "b = risky()\n"})
    result = cli("check", "--no-cache", "--diff")
    assert (result.code, result.out, result.err) == (0, "", "No fixes would be applied.\n")
    assert cli("check", "--no-cache", "--diff", "--quiet").err == ""


@pytestmark_fake
def test_diff_marks_a_last_line_without_newline(cli: RunCli, project: Path) -> None:
    write(project, {"a.py": "x = 1\na = leak()"})
    out = cli("check", "--no-cache", "--diff").out
    assert out.endswith(
        "-a = leak()\n\\ No newline at end of file\n+a = safe()\n\\ No newline at end of file\n"
    )


@pytestmark_fake
def test_a_fix_that_would_break_the_file_is_not_applied(cli: RunCli, project: Path) -> None:
    write(project, {"a.py": "a = leak()\nb = broken()\n"})
    result = cli("check", "--no-cache", "--fix")
    assert (project / "a.py").read_text() == "a = safe()\nb = broken()\n"
    assert result.out.splitlines() == [
        "a.py:2:5: UL101 broken() leaks",  # no [*]: its fix was dropped
        "Fixed 1 problem; 1 remaining.",
    ]
    assert result.code == 1


@pytestmark_fake
def test_a_check_offers_only_the_fixes_fix_applies(cli: RunCli, project: Path) -> None:
    # `--fix` drops the fixes of broken() (the file would not compile) and spread() (a new
    # finding): a plain check does not show them as fixable, in any format.
    source = "a = leak()\nb = broken()\nc = spread()\nd = risky()\n"
    write(project, {"a.py": source})
    assert cli("check", "--no-cache").out.splitlines() == [
        "a.py:1:5: UL101 [*] leak() leaks",
        "a.py:2:5: UL101 broken() leaks",
        "a.py:3:5: UL101 spread() leaks",
        "a.py:4:5: UL101 risky() leaks",
        "Found 4 problems in 1 file.",
        "[*] 1 fixable with the `--fix` option "
        "(1 hidden fix can be enabled with the `--unsafe-fixes` option).",
    ]
    items = json.loads(cli("check", "--no-cache", "--format", "json").out)
    assert [item["fix"] is not None for item in items] == [True, False, False, True]
    sarif = json.loads(cli("check", "--no-cache", "--format", "sarif").out)
    assert ["fixes" in r for r in sarif["runs"][0]["results"]] == [True, False, False, True]
    fixed = cli("check", "--no-cache", "--fix", "--unsafe-fixes")
    after = "a = safe()\nb = broken()\nc = spread()\nd = careful()\n"
    assert (project / "a.py").read_text() == after
    assert fixed.out.splitlines()[-1] == "Fixed 2 problems; 2 remaining."


@pytestmark_fake
def test_a_file_that_does_not_compile_is_left_alone(cli: RunCli, project: Path) -> None:
    source = "a = leak()\ndef (:\n"
    write(project, {"a.py": source})
    result = cli("check", "--no-cache", "--fix")
    assert (project / "a.py").read_text() == source
    assert result.code == 1 and "Fixed" not in result.out


@pytestmark_fake
@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param(
            "# -*- coding: latin-1 -*-\ns = 'caf\xe9'\na = leak()\n".encode("latin-1"),
            "# -*- coding: latin-1 -*-\ns = 'caf\xe9'\na = safe()\n".encode("latin-1"),
            id="latin-1 cookie",
        ),
        pytest.param(
            "\ufeffs = 'é😀'\na = leak()\n".encode(),
            "\ufeffs = 'é😀'\na = safe()\n".encode(),
            id="utf-8 BOM",
        ),
        pytest.param(
            b"s = 1\r\n\r\na = leak()\r\nb = 2\r\n",
            b"s = 1\r\n\r\na = safe()\r\nb = 2\r\n",
            id="CRLF",
        ),
        pytest.param(b"s = 1\ra = leak()\r", b"s = 1\ra = safe()\r", id="CR"),
        pytest.param(
            b"s = 1\r\nt = 2\nu = 3\ra = leak()\n",
            b"s = 1\r\nt = 2\nu = 3\ra = safe()\n",
            id="mixed",
        ),
        pytest.param(
            b"\x0cx = 'a\\tb'\t# tab\na = leak()", b"\x0cx = 'a\\tb'\t# tab\na = safe()", id="ff"
        ),
    ],
)
def test_files_keep_their_encoding_bom_and_line_endings(
    cli: RunCli, project: Path, before: bytes, after: bytes
) -> None:
    write(project, {"a.py": before})
    assert cli("check", "--no-cache", "--fix").code == 0
    assert (project / "a.py").read_bytes() == after


@pytestmark_fake
def test_a_fix_the_encoding_cannot_hold_is_not_written(
    cli: RunCli, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(WORDS, "leak()", ("saf\u0113()", True))
    source = "# coding: latin-1\na = leak()\n".encode("latin-1")
    write(project, {"a.py": source})
    result = cli("check", "--no-cache", "--fix")
    assert (project / "a.py").read_bytes() == source
    assert result.code == 1 and result.out.startswith("a.py:2:5: UL101 [*] leak() leaks")


@pytestmark_fake
def test_stdin_fix_prints_only_the_fixed_source(cli: RunCli, project: Path) -> None:
    result = cli("check", "--fix", "--stdin-filename", "a.py", stdin=b"a = leak()\r\n")
    assert (result.code, result.out, result.err) == (0, "a = safe()\r\n", "")
    assert not (project / "a.py").exists()
    left = cli("check", "--fix", "-", stdin=b"a = leak()\nb = risky()\n")
    assert (left.code, left.out) == (1, "a = safe()\nb = risky()\n")
    unchanged = cli("check", "--fix", "--stdin-filename", "a.py", stdin=b"x = 1\n")
    assert (unchanged.code, unchanged.out) == (0, "x = 1\n")


def run_bytes(args: list[str], cwd: Path, stdin: bytes) -> tuple[int, bytes, bytes]:
    proc = subprocess.run(
        [sys.executable, "-m", "unleak", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        env=_env(),
        timeout=60,
    )
    return proc.returncode, proc.stdout, proc.stderr


@pytest.mark.engine
def test_stdin_fix_keeps_the_encoding(project: Path) -> None:
    source = "# coding: latin-1\n# caf\xe9\n".encode("latin-1") + LEAK.encode()
    code, out, err = run_bytes(["check", "--fix", "--stdin-filename", "a.py"], project, source)
    assert code == 0, err
    assert out.startswith("# coding: latin-1\n# caf\xe9\n".encode("latin-1"))
    assert b"with open(p) as f:" in out and err == b""


@pytestmark_fake
def test_stdin_diff(cli: RunCli, project: Path) -> None:
    result = cli("check", "--diff", "--stdin-filename", "pkg/a.py", stdin=b"a = leak()\n")
    assert result.code == 1
    assert result.out.startswith("--- pkg/a.py\n+++ pkg/a.py\n")


def test_stdin_fix_of_an_undecodable_source_echoes_it(project: Path) -> None:
    source = b"x = '\xff'\n"
    code, out, err = run_bytes(["check", "--fix", "--stdin-filename", "a.py"], project, source)
    assert (code, out) == (2, source)
    assert b"a.py: error:" in err


@pytestmark_fake
def test_json_fix_field(cli: RunCli, project: Path) -> None:
    write(project, {"a.py": "s = 'é'; a = leak()\n"})
    result = cli("check", "--no-cache", "--format", "json")
    (item,) = json.loads(result.out)
    assert item["fix"] == {
        "description": "use safe()",
        "safe": True,
        "edits": [{"line": 1, "column": 14, "end_line": 1, "end_column": 20, "new_text": "safe()"}],
    }
    assert (item["column"], item["end_column"]) == (14, 20)


@pytestmark_fake
def test_json_text_matches_the_data(cli: RunCli, project: Path) -> None:
    from unleak.cli.formats import Report
    from unleak.cli.formats.json_format import findings_as_data, render_json
    from unleak.cli.results import FileResult

    findings = fake_analyse("a = leak()\nb = 'x\"\\n'; risky()\n").findings
    related = Finding("UL102", "m", Span(1, 0, 1, 1), Severity.INFO)
    report = Report([FileResult("p\u00e9.py", findings=[*findings, related])])
    assert render_json(report) == (
        json.dumps(findings_as_data(report), indent=2, ensure_ascii=False) + "\n"
    )


@pytestmark_fake
def test_json_after_fix_lists_what_remains(cli: RunCli, project: Path) -> None:
    write(project, {"a.py": "a = leak()\nb = risky()\n"})
    result = cli("check", "--no-cache", "--fix", "--format", "json")
    (item,) = json.loads(result.out)
    assert item["line"] == 2 and item["fix"]["safe"] is False
    assert result.code == 1


@pytestmark_fake
def test_sarif_fixes(cli: RunCli, project: Path) -> None:
    write(project, {"a.py": "a = leak()\nb = 1\n"})
    result = cli("check", "--no-cache", "--format", "sarif")
    (res,) = json.loads(result.out)["runs"][0]["results"]
    (fix,) = res["fixes"]
    assert fix["description"] == {"text": "use safe()"}
    (change,) = fix["artifactChanges"]
    assert change["artifactLocation"] == {"uri": "a.py"}
    assert change["replacements"] == [
        {
            "deletedRegion": {"startLine": 1, "startColumn": 5, "endLine": 1, "endColumn": 11},
            "insertedContent": {"text": "safe()"},
        }
    ]


@pytest.mark.engine
def test_fix_runs_in_worker_processes(project: Path) -> None:
    """Real workers, with the real engine: what they fix is written."""
    files = {f"m{i:02}.py": LEAK for i in range(40)}
    write(project, files)
    result = run_subprocess(["check", "--no-cache", "--fix", "-j", "2", "-v"], project)
    assert "2 worker processes" in result.err, result.err
    assert result.out.startswith("Fixed 40 problems; 0 remaining."), result.out
    for name in files:
        text = (project / name).read_text()
        assert "with open(p) as f:" in text
        compile(text, name, "exec")


# Cache --------------------------------------------------------------------------------------


@pytest.mark.engine
def test_fixed_files_are_not_served_stale_from_the_cache(cli: RunCli, project: Path) -> None:
    write(project, {"a.py": LEAK, "b.py": LEAK})
    assert cli("check").code == 1  # fills the cache with the leaky files' findings
    fixed = cli("check", "--fix", "a.py")
    assert fixed.out.startswith("Fixed 1 problem; 0 remaining."), fixed.out
    after = cli("check", "-v")
    assert after.out.startswith("b.py:2:9: UL101 ") and "a.py" not in after.out
    assert "1 from cache, 1 analysed" in after.err  # a.py was analysed again
    assert cli("check", "--fix").out.startswith("Fixed 1 problem; 0 remaining.")
    assert cli("check").code == 0


@pytest.mark.engine
def test_diff_does_not_change_the_cache(cli: RunCli, project: Path) -> None:
    write(project, {"a.py": LEAK})
    assert cli("check", "--diff").code == 1
    assert cli("check").code == 1  # the file still leaks, cached or not
    assert cli("check").code == 1
    assert cli("check", "--diff").code == 1  # cached findings with fixes are fixed again


@pytest.mark.engine
def test_cached_files_without_fixes_are_not_analysed_again(cli: RunCli, project: Path) -> None:
    write(project, {"a.py": "x = 1\n", "b.py": LEAK})
    cli("check")
    result = cli("check", "--fix", "-v")
    assert "1 from cache, 1 analysed" in result.err
