"""Functional rule tests in the pylint style.

Every ``tests/fixtures/rules/<CODE>/*.py`` file marks the findings it must produce: a line that
ends with ``# error: UL101`` (or ``# error: UL101, UL102``) must get exactly those findings,
reported at the line where the finding's span starts, and every other line must get none.
``# OK`` comments only document code that has to stay silent.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from unleak.pipeline.api import check_source
from unleak.rules import ALL_RULES, RULES_BY_CODE
from unleak.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures" / "rules"
FIXTURE_FILES = sorted(FIXTURES.glob("*/*.py"))

MARKER = re.compile(r"#\s*error:(?P<rest>.*)$")
CODE = re.compile(r"\b[A-Z]{2}\d{3}\b")
OK_COMMENT = re.compile(r"#\s*OK\b")


@dataclass(frozen=True)
class Fixture:
    path: Path
    text: str
    lines: tuple[str, ...]
    expected: frozenset[tuple[int, str]]

    @property
    def rule_dir(self) -> str:
        return self.path.parent.name

    @property
    def name(self) -> str:
        return str(self.path.relative_to(FIXTURES))


def _expected_findings(lines: tuple[str, ...]) -> frozenset[tuple[int, str]]:
    expected: set[tuple[int, str]] = set()
    for number, line in enumerate(lines, 1):
        match = MARKER.search(line)
        if match is None:
            continue
        codes = CODE.findall(match.group("rest"))
        assert codes, f"line {number}: '# error:' marker without a rule code: {line!r}"
        expected.update((number, code) for code in codes)
    return frozenset(expected)


def load_fixture(path: Path) -> Fixture:
    text = path.read_text(encoding="utf-8")
    lines = tuple(text.splitlines())
    return Fixture(path, text, lines, _expected_findings(lines))


def _source_line(fixture: Fixture, number: int) -> str:
    if 1 <= number <= len(fixture.lines):
        return fixture.lines[number - 1].strip()
    return "<no such line>"


def _diff(fixture: Fixture, got: dict[tuple[int, str], str]) -> str:
    missing = sorted(fixture.expected - got.keys())
    unexpected = sorted(got.keys() - fixture.expected)
    out = [f"{fixture.name}: findings differ from the '# error:' markers"]
    for number, code in missing:
        out.append(f"  missing    {number:4d} {code}: {_source_line(fixture, number)}")
    for number, code in unexpected:
        out.append(f"  unexpected {number:4d} {code}: {_source_line(fixture, number)}")
        out.append(f"             message: {got[number, code]}")
    return "\n".join(out)


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fixture_findings_match_markers(path: Path) -> None:
    fixture = load_fixture(path)
    # A rule that is off by default is checked on its own fixtures with it turned on; the
    # other rules' fixtures run with the default settings, so it must stay silent there.
    rule = RULES_BY_CODE[fixture.rule_dir]
    settings = None if rule.on_by_default else Settings(extend_select=(rule.code,))
    findings = check_source(fixture.text, str(path), settings)
    got: dict[tuple[int, str], str] = {}
    for finding in findings:
        got.setdefault((finding.span.line, finding.code), finding.message)
    assert set(got) == set(fixture.expected), _diff(fixture, got)


# ---------------------------------------------------------------------------------------------
# Sanity of the fixtures themselves: these run without the engine.


def test_fixture_directories_are_rule_codes() -> None:
    assert FIXTURE_FILES, f"no fixtures under {FIXTURES}"
    unknown = sorted({p.parent.name for p in FIXTURE_FILES} - RULES_BY_CODE.keys())
    assert not unknown, f"fixture directories that are not rule codes: {unknown}"


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fixture_markers_are_well_formed(path: Path) -> None:
    fixture = load_fixture(path)
    unknown = sorted({code for _, code in fixture.expected} - RULES_BY_CODE.keys())
    assert not unknown, f"{fixture.name}: markers name unknown rule codes {unknown}"
    contradictions = [
        number
        for number, line in enumerate(fixture.lines, 1)
        if MARKER.search(line) and OK_COMMENT.search(line)
    ]
    assert not contradictions, f"{fixture.name}: lines marked both OK and error: {contradictions}"


@pytest.mark.parametrize(
    "path",
    [p for p in FIXTURE_FILES if p.parent.name != "UL001"],
    ids=lambda p: str(p.relative_to(FIXTURES)),
)
def test_fixture_compiles(path: Path) -> None:
    """Only UL001 fixtures may contain syntax errors."""
    compile(path.read_text(encoding="utf-8"), str(path), "exec")


def _functions(tree: ast.AST) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def _silent_functions(fixture: Fixture) -> list[str]:
    """Functions (at any depth) none of whose lines carries an '# error:' marker."""
    try:
        tree = ast.parse(fixture.text)
    except SyntaxError:
        return []
    marked = {number for number, _ in fixture.expected}
    silent = []
    for func in _functions(tree):
        first = min([func.lineno, *(d.lineno for d in func.decorator_list)])
        last = func.end_lineno or func.lineno
        if not any(first <= n <= last for n in marked):
            silent.append(func.name)
    return silent


@pytest.mark.parametrize("code", [rule.code for rule in ALL_RULES])
def test_every_rule_has_positive_and_negative_fixtures(code: str) -> None:
    fixtures = [load_fixture(p) for p in FIXTURE_FILES if p.parent.name == code]
    assert fixtures, f"no fixture directory tests/fixtures/rules/{code}/"
    marked = [f.name for f in fixtures if any(c == code for _, c in f.expected)]
    assert marked, f"no fixture of {code} has an '# error: {code}' marker"
    silent = [name for f in fixtures for name in _silent_functions(f)]
    assert silent, f"no fixture of {code} has a function that must stay silent"


def test_the_rule_names_table_is_the_registry_s() -> None:
    # A warm check names its findings' rules from `rules.names`, without importing them.
    from unleak.rules.names import RULE_NAMES

    assert {rule.code: rule.name for rule in ALL_RULES} == RULE_NAMES
