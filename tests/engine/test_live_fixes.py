"""An editor's analysis without fixes (`LiveModule(fixes=False)`): the same findings, each
fix built when asked for (`with_fixes`) equal to the one a fresh analysis builds, and
findings that no longer depend on every name of the module."""

from __future__ import annotations

import random
import sysconfig
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest
from name_positions import name_positions, renamable
from unleak.findings.model import Finding
from unleak.pipeline.api import analyse_source
from unleak.pipeline.live import LiveModule
from unleak.settings import Settings

SETTINGS = Settings()
STDLIB = Path(sysconfig.get_paths()["stdlib"])
FIXTURES = Path(__file__).parent.parent / "fixtures" / "rules"
# Fixtures with several fixes each, of the rules that have fixes (UL101 to UL108).
FIXED = [
    "UL102/services.py",
    "UL101/files.py",
    "UL103/sqlite_with.py",
    "UL104/unbound.py",
    "UL105/locks.py",
    "UL108/tasks.py",
]


def fresh(text: str) -> list[Finding]:
    return analyse_source(text, "m.py", SETTINGS, "m", with_summary=False).findings


def without_fixes(findings: list[Finding]) -> list[Finding]:
    return [replace(f, fix=None) for f in findings]


def check(live: LiveModule, text: str, step: object) -> None:
    found = live.analyse(text, SETTINGS, "m").findings
    expected = fresh(text)
    assert all(f.fix is None for f in found), step
    assert found == without_fixes(expected), step
    assert live.with_fixes(text, found) == expected, step


@pytest.mark.parametrize("name", FIXED)
def test_fixes_built_on_demand_are_those_of_a_fresh_analysis(name: str) -> None:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    live = LiveModule("m.py", "m", fixes=False)
    check(live, text, "opened")
    assert any(f.fix for f in fresh(text))
    # One finding at a time, too (a code action asks for a range's).
    found = live.analyse(text, SETTINGS, "m").findings
    expected = fresh(text)
    for i, finding in enumerate(found):
        assert live.with_fixes(text, [finding]) == [expected[i]], finding


@pytest.mark.parametrize("name", FIXED[:3])
def test_typing_anywhere_keeps_fixes_on_demand_equal_to_a_fresh_analysis(name: str) -> None:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    rng = random.Random(f"fixes-{name}")
    live = LiveModule("m.py", "m", fixes=False)
    check(live, text, "opened")
    for line, column in name_positions(text, 15, rng):
        original = lines[line - 1]
        for typed in (original[:column] + "x" + original[column:], original):
            lines[line - 1] = typed
            check(live, "".join(lines), (line, typed))
    assert live.partial_runs >= 5, (live.full_runs, live.partial_runs)


def test_a_rename_elsewhere_reuses_the_findings_of_functions_with_fixes() -> None:
    """A fix may use any name of the module; a finding without its fix does not depend on
    them, so renaming another definition re-analyses none of the leaking functions."""
    text = "".join(
        f"def read_{i}(path):\n    f = open(path)\n    return f.read()\n\n" for i in range(40)
    )
    text += "def helper():\n    return 1\n"
    for fixes, misses in ((True, 40), (False, 0)):
        live = LiveModule("m.py", "m", fixes=fixes)
        live.analyse(text, SETTINGS, "m")
        before = live.units.misses
        renamed = text.replace("def helper(", "def helperx(")
        found = live.analyse(renamed, SETTINGS, "m").findings
        assert len(found) == 40
        assert live.units.misses - before >= misses if fixes else live.units.misses == before


def test_renaming_and_restoring_a_definition_reuses_every_other_result() -> None:
    """The cache keeps room for every definition's results of each kind: one entry too few
    made it drop, definition after definition, each result the next lookup needed."""
    text = "".join(
        f"def read_{i}(path):\n    f = open(path)\n    return f.read()\n\n" for i in range(40)
    )
    live = LiveModule("m.py", "m", max_units=1, fixes=False)
    live.analyse(text, SETTINGS, "m")
    for edited in (text.replace("def read_7(", "def read_7x("), text):
        before = live.units.misses
        assert len(live.analyse(edited, SETTINGS, "m").findings) == 40
        assert live.units.misses - before <= 2, live.units.misses - before


FACTORIES = textwrap.dedent(
    """\
    def make(p):
        return open(p)


    def user(p):
        f = make(p)
        return f.read()


    def other(p):
        g = open(p)
        return g.read()


    class Reader:
        def read(self, p):
            h = open(p)
            return h.read()
    """
)


def test_renaming_a_local_factory_reanalyses_the_definitions_that_name_it() -> None:
    """A local function returning a resource is a trigger word too: renaming it changes
    the context of the definitions whose text names it, not of every definition."""
    live = LiveModule("m.py", "m", fixes=False)
    check(live, FACTORIES, "opened")
    for text in (FACTORIES.replace("def make(", "def makex("), FACTORIES):
        misses = live.units.misses
        check(live, text, text)
        assert live.fallback  # a rename goes in full
        # `make` and `user` (their leaks and UL110); `other` and `Reader.read` are reused.
        assert live.units.misses - misses <= 4, text


@pytest.mark.parametrize("name", ["tempfile.py", "subprocess.py"])
def test_renaming_imports_and_definitions_without_fixes_matches_fresh_analysis(name: str) -> None:
    """As the editor analyses (no fixes, so a finding depends on the names its definition
    mentions alone): imports and definitions renamed one after the other, every other rename
    undone."""
    text = (STDLIB / name).read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    rng = random.Random(f"rename-nofix-{name}")
    live = LiveModule("m.py", "m", fixes=False)
    live.analyse(text, SETTINGS, "m")
    for step, (line, column) in enumerate(renamable(text, 12, rng)):
        original = lines[line - 1]
        lines[line - 1] = original[:column] + "x" + original[column:]
        edited = "".join(lines)
        found = live.analyse(edited, SETTINGS, "m").findings
        assert found == without_fixes(fresh(edited)), (line, lines[line - 1])
        if step % 2:
            lines[line - 1] = original
            edited = "".join(lines)
            found = live.analyse(edited, SETTINGS, "m").findings
            assert found == without_fixes(fresh(edited)), (line, original)


RENAMED = textwrap.dedent(
    """\
    def read_0(path):
        f = open(path)
        return f.read()


    def read_1(path):
        g = open(path)
        return g.read()


    def caller(path):
        return read_1(path)
    """
)


def test_renaming_a_function_no_other_code_names_analyses_it_alone() -> None:
    """Typing into the name of one of 25,000 functions went to a full analysis: one that no
    other code names is analysed alone. Then the old name and the new are the full
    analysis's no longer: an edit that names either elsewhere goes in full."""
    live = LiveModule("m.py", "m", fixes=False)
    check(live, RENAMED, "opened")
    steps = [
        RENAMED.replace("def read_0(", "def read_0x("),
        RENAMED.replace("def read_0(", "def read_0xy("),
        RENAMED,  # renamed back
        RENAMED.replace("def read_0(path)", "def read_0(pathx)"),  # its summary changed
        RENAMED,  # its own `def` names it: still alone
    ]
    for text in steps:
        check(live, text, text)
        assert live.fallback == "", (text, live.fallback)
    assert live.full_runs == 1
    renamed = RENAMED.replace("def read_0(", "def read_0x(")
    # A call of the new name, or of the old one, typed elsewhere: in full.
    for call in ("read_0x", "read_0"):
        live = LiveModule("m.py", "m", fixes=False)
        check(live, RENAMED, "opened")
        check(live, renamed, "renamed")
        assert live.fallback == ""
        text = renamed.replace("return read_1(path)", f"return {call}(path)")
        check(live, text, call)
        assert live.fallback == "names a function whose summary changed", (call, live.fallback)
    # A function other code names, a rename that changes more, a recursive one: in full.
    text = RENAMED.replace("def read_1(", "def read_1x(")
    others = [
        text,
        RENAMED.replace("def read_0(path):\n    f =", "def read_0x(path):\n    h ="),
        RENAMED.replace("def read_0(", "def read_0x(").replace("f.read()", "read_0x(f)"),
    ]
    for text in others:
        live = LiveModule("m.py", "m", fixes=False)
        check(live, RENAMED, "opened")
        check(live, text, text)
        assert live.fallback, text


def test_typing_in_a_module_of_small_functions_matches_fresh_analysis() -> None:
    """The editor's analysis of a module like the 100,000-line benchmark's (small functions,
    a few calling others), typing at random name positions: names, parameters, calls."""
    shapes = [
        "def read_{i}(path):\n    f = open(path)\n    return f.read()\n",
        "def open_{i}(path):\n    return open(path)\n",  # a local factory
        "def use_{i}(path):\n    f = open_{j}(path)\n    return f.read()\n",
    ]
    text = "\n\n".join(shapes[i % 3].format(i=i, j=i - 1) for i in range(24))
    lines = text.splitlines(keepends=True)
    rng = random.Random("small-functions")
    live = LiveModule("m.py", "m", fixes=False)
    check(live, text, "opened")
    for line, column in name_positions(text, 20, rng):
        original = lines[line - 1]
        for typed in (original[:column] + "x" + original[column:], original):
            lines[line - 1] = typed
            check(live, "".join(lines), (line, typed))
    assert live.partial_runs > 30, (live.full_runs, live.partial_runs)
