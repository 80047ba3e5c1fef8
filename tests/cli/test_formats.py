"""Each output format, rendered from known findings (no engine involved)."""

from __future__ import annotations

import json

from unleak.cli.analysis import FileResult
from unleak.cli.formats import RENDERERS, Report
from unleak.findings.model import Finding, Related
from unleak.rules import ALL_RULES
from unleak.settings import Severity
from unleak.source.spans import Span

# 0-based columns in, 1-based columns out.
LEAK = Finding(
    "UL101",
    "file from `open()` is not released",
    Span(2, 8, 2, 15),
    Severity.WARNING,
    related=(Related(Span(3, 4, 3, 19), "returned here without close()"),),
)
SYNTAX = Finding(
    "UL001", "invalid syntax, with: colons, 100% and\nnewline", Span(1, 0, 1, 1), Severity.ERROR
)
RESULTS = [
    FileResult("pkg/a.py", [LEAK]),
    FileResult("pkg/b.py", []),
    FileResult("c.py", [SYNTAX]),
]


def render(fmt: str, results: list[FileResult] = RESULTS, quiet: bool = False) -> str:
    return RENDERERS[fmt](Report(results, quiet=quiet))


def test_text() -> None:
    assert render("text").splitlines() == [
        "pkg/a.py:2:9: UL101 file from `open()` is not released",
        "c.py:1:1: UL001 invalid syntax, with: colons, 100% and newline",
        "Found 2 problems in 2 files.",
    ]
    assert render("text", [FileResult("x.py", [LEAK])]).endswith("Found 1 problem in 1 file.\n")
    assert render("text", [FileResult("x.py")]) == "All checks passed!\n"
    assert render("text", quiet=True).count("\n") == 2
    errors = render("text", [FileResult("x.py"), FileResult("y.py", error="boom")])
    assert errors == "1 file could not be checked.\n"


def test_json_fields() -> None:
    data = json.loads(render("json"))
    assert data[0] == {
        "path": "pkg/a.py",
        "line": 2,
        "column": 9,
        "end_line": 2,
        "end_column": 16,
        "code": "UL101",
        "name": "not-released",
        "message": "file from `open()` is not released",
        "severity": "warning",
        "fix": None,
        "related": [
            {
                "line": 3,
                "column": 5,
                "end_line": 3,
                "end_column": 20,
                "message": "returned here without close()",
            }
        ],
    }
    assert [(d["path"], d["code"], d["name"]) for d in data] == [
        ("pkg/a.py", "UL101", "not-released"),
        ("c.py", "UL001", "syntax-error"),
    ]
    assert json.loads(render("json", [])) == []


def test_sarif_structure() -> None:
    log = json.loads(render("sarif"))
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-2.1.0.json")
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "unleak"
    # No web page to point at (there is no public repository): no informationUri, and every
    # rule's help is the docs/rules.md section shipped with unleak.
    assert "informationUri" not in driver and "github.com" not in render("sarif")
    assert [r["id"] for r in driver["rules"]] == [r.code for r in ALL_RULES]
    for descriptor, rule in zip(driver["rules"], ALL_RULES, strict=True):
        assert descriptor["name"] == rule.name
        assert descriptor["shortDescription"]["text"] == rule.summary
        assert descriptor["fullDescription"]["text"]
        # No dead link: SARIF's helpUri must be absolute, so the help is the text itself.
        assert "helpUri" not in descriptor
        assert descriptor["help"]["markdown"] == rule.doc and "## Example" in rule.doc
        assert descriptor["defaultConfiguration"]["level"] in {"error", "warning", "note"}
    assert run["columnKind"] == "unicodeCodePoints"
    first, second = run["results"]
    assert first["ruleId"] == "UL101"
    assert driver["rules"][first["ruleIndex"]]["id"] == "UL101"
    assert first["level"] == "warning"
    assert first["message"]["text"] == LEAK.message
    location = first["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "pkg/a.py"
    assert location["region"] == {"startLine": 2, "startColumn": 9, "endLine": 2, "endColumn": 16}
    (related,) = first["relatedLocations"]
    assert related["message"]["text"] == "returned here without close()"
    assert related["physicalLocation"]["region"]["startColumn"] == 5
    assert second["level"] == "error" and "relatedLocations" not in second
    assert run["invocations"][0]["executionSuccessful"] is True


def test_sarif_reports_files_that_could_not_be_checked() -> None:
    log = json.loads(render("sarif", [FileResult("/abs/x.py", error="cannot read file")]))
    invocation = log["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    (note,) = invocation["toolExecutionNotifications"]
    assert note["message"]["text"] == "/abs/x.py: cannot read file"
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "file:///abs/x.py"


def test_github_annotations_are_escaped() -> None:
    lines = render("github").splitlines()
    assert lines == [
        "::warning file=pkg/a.py,line=2,col=9,endLine=2,endColumn=16,title=UL101"
        "::UL101 file from `open()` is not released",
        "::error file=c.py,line=1,col=1,endLine=1,endColumn=2,title=UL001"
        "::UL001 invalid syntax, with: colons, 100%25 and%0Anewline",
    ]
    errors = render("github", [FileResult("x.py", error="cannot decode source: 100%")])
    assert errors == (
        "::error file=x.py,title=unleak::unleak could not check x.py: "
        "cannot decode source: 100%25\n"
    )
    odd = render("github", [FileResult("a,b:c.py", [LEAK])])
    assert odd.startswith("::warning file=a%2Cb%3Ac.py,")


def test_info_and_hint_levels() -> None:
    info = Finding("UL109", "m", Span(1, 0, 1, 1), Severity.INFO)
    hint = Finding("UL108", "m", Span(1, 0, 1, 1), Severity.HINT)
    results = [FileResult("a.py", [info, hint])]
    assert [line.split(" ")[0] for line in render("github", results).splitlines()] == [
        "::notice",
        "::notice",
    ]
    levels = [r["level"] for r in json.loads(render("sarif", results))["runs"][0]["results"]]
    assert levels == ["note", "note"]
    assert [d["severity"] for d in json.loads(render("json", results))] == ["info", "hint"]


def test_json_text_is_what_the_json_module_writes() -> None:
    import json

    from unleak.cli.formats.base import Report
    from unleak.cli.formats.json_format import findings_as_data, render_json
    from unleak.cli.results import FileResult
    from unleak.findings.model import Finding, Related
    from unleak.settings import Severity
    from unleak.source.spans import Span

    odd = Finding(
        "UL101",
        'quotes " \\ and\nnew lines\t, ünïcode \u2028 \x01 \ud800',
        Span(3, 4, 5, 6),
        Severity.ERROR,
        related=(Related(Span(1, 0, 1, 2), "a"), Related(Span(2, 0, 2, 1), 'b "c"')),
    )
    plain = Finding("UL102", "m", Span(1, 0, 1, 1), Severity.WARNING)
    for results in (
        [],
        [FileResult("a.py")],
        [FileResult('we"ird ü.py', [odd, plain]), FileResult("b.py", [plain])],
        [FileResult("a.py", [plain]), FileResult('ü"\n.py', error='cannot "read"\n')],
        [FileResult("gone", error="No such file or directory", kind="missing")],
    ):
        report = Report(results)
        expected = json.dumps(findings_as_data(report), indent=2, ensure_ascii=False) + "\n"
        assert render_json(report) == expected
