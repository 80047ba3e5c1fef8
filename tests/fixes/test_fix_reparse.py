"""The fix check parses each fixed text reusing the module's trees (`fix_parse.Reparser`):
it offers exactly the fixes a check that parses every text whole offers, and parses again
only the chunks the fixes changed."""

from __future__ import annotations

import ast
import sysconfig
from pathlib import Path

import pytest
from unleak.findings.model import Edit, Fix
from unleak.fixes import registry
from unleak.pipeline import api
from unleak.pipeline.fix_check import Scopes, fix_holds
from unleak.pipeline.fix_offers import offered_fixes, unit_cache
from unleak.pipeline.fix_parse import Reparser
from unleak.settings import Settings
from unleak.source.spans import Span

STDLIB = Path(sysconfig.get_paths()["stdlib"])
# Modules with fixes to check (some that fail it), a class of many methods among them.
MODULES = ["pty.py", "tarfile.py", "zipfile.py", "socketserver.py", "test/test_mmap.py"]

LEAKY = '''\
"""A module with fixes: some hold, one does not (its function leaks either way)."""
import os


def read(path):
    f = open(path)
    data = f.read()
    f.close()
    return data


class Reader:
    def first(self, path):
        return open(path).readline()

    def keep(self, path):
        self.f = open(path)

    def two(self, a, b):
        f = open(a)
        g = open(b)
        f.close()
        g.close()


def pair(a):
    r, w = os.pipe()
    return r


def again(a, b):
    f = open(a)
    f = open(b)
    f.close()
'''


@pytest.fixture
def faulty(monkeypatch: pytest.MonkeyPatch) -> None:
    """UL107's fix made one that fails its check (it only adds a comment line)."""
    real = registry.BUILDERS["UL107"]

    def comment(context: object) -> Fix | None:
        fix = real(context)
        if fix is None:
            return None
        line = fix.edits[-1].span.line
        return Fix(fix.description, True, (Edit(Span(line, 0, line, 0), "# reviewed\n"),))

    monkeypatch.setitem(registry.BUILDERS, "UL107", comment)


def _offers(text: str, path: str, parser: Reparser | None) -> list[tuple[object, ...]]:
    settings = Settings()
    units = unit_cache()
    parsed = parser.parse(text) if parser is not None else None
    report = api.analyse_source(
        text, path, settings, "", unit_cache=units, keep_tree=True, parsed=parsed
    )
    found = offered_fixes(text, path, settings, "", report, units, parser)
    return [(f.code, f.span, f.message, f.fix) for f in found]


def _texts() -> list[tuple[str, str]]:
    out = [("leaky.py", LEAKY)]
    for name in MODULES:
        path = STDLIB / name
        if path.exists():
            out.append((name, path.read_text(encoding="utf-8")))
    return out


@pytest.mark.parametrize(("name", "text"), _texts(), ids=lambda v: v if len(v) < 40 else "")
def test_the_same_fixes_offered(name: str, text: str) -> None:
    reparsed = _offers(text, name, Reparser())
    assert reparsed == _offers(text, name, None)
    assert any(fix is not None for *_, fix in reparsed) or name != "leaky.py"


def test_the_same_fixes_offered_when_one_fails(faulty: None) -> None:
    reparsed = _offers(LEAKY, "leaky.py", Reparser())
    assert reparsed == _offers(LEAKY, "leaky.py", None)
    assert [fix for code, *_, fix in reparsed if code == "UL107"] == [None]


def test_a_fixed_text_parses_only_the_chunks_fixes_changed() -> None:
    parser = Reparser()
    first = parser.parse(LEAKY)
    assert first is not None
    fixed = LEAKY.replace(
        "        return open(path).readline()",
        "        with open(path) as f:\n            return f.readline()",
    )
    fixed = "import contextlib\n" + fixed
    again = parser.parse(fixed)
    assert again is not None
    assert ast.dump(again.tree, include_attributes=True) == ast.dump(
        ast.parse(fixed), include_attributes=True
    )
    chunks = parser._chunks
    assert chunks is not None
    # The import, and the one method of the class that changed (with the class's header).
    assert chunks.parsed_lines == 1 + 1 + 3


def test_the_scopes_of_the_module_are_found_before_its_tree_moves() -> None:
    """The module's tree is moved to the fixed text's lines: its definitions are what they
    were when found before (the check compares findings by them)."""
    parser = Reparser()
    first = parser.parse(LEAKY)
    assert first is not None
    scopes = Scopes(LEAKY, first.tree)
    spans = list(scopes.spans)
    assert parser.parse("import contextlib\n" + LEAKY) is not None
    assert Scopes(LEAKY, first.tree).spans != spans  # moved in place
    assert scopes.spans == spans


def test_the_editor_check_is_unchanged(faulty: None) -> None:
    """`fix_holds` (the editor's check, one fix at a time) parses the fixed text with a
    `Reparser` too: each fix gets the answer the whole-text check gives."""
    report = api.analyse_source(LEAKY, "leaky.py", Settings())
    fixable = [f for f in report.findings if f.fix is not None]
    assert fixable
    offered = {(f.code, f.span) for f in report.findings if f.fix is not None}
    checked = offered_fixes(LEAKY, "leaky.py", Settings(), "", report)
    holding = {(f.code, f.span) for f in checked if f.fix is not None}
    assert holding and holding != offered  # one fix fails its check
    for finding in fixable:
        assert fix_holds(LEAKY, "leaky.py", Settings(), finding) == (
            (finding.code, finding.span) in holding
        )
