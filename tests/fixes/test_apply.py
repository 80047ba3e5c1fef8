"""Applying edits, and the fix loop driven by a stand-in engine with hand-made fixes."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
import unleak.pipeline.api as api
from unleak.findings.model import Edit, Finding, Fix
from unleak.fixes.apply import LineIndex, apply_edits, newline_of
from unleak.pipeline.api import ModuleReport
from unleak.pipeline.fix_loop import fix_source
from unleak.settings import Settings, Severity
from unleak.source.spans import Span


def edit(line: int, column: int, end_line: int, end_column: int, new_text: str) -> Edit:
    return Edit(Span(line, column, end_line, end_column), new_text)


# apply_edits ------------------------------------------------------------------------------


def test_no_edits_returns_the_text() -> None:
    assert apply_edits("a\n", []) == "a\n"


def test_replacement_insertion_and_deletion() -> None:
    text = "alpha\nbeta\ngamma\n"
    edits = [edit(2, 0, 2, 4, "BETA"), edit(1, 5, 1, 5, "!"), edit(3, 0, 4, 0, "")]
    assert apply_edits(text, edits) == "alpha!\nBETA\n"


def test_crlf_lines_and_columns() -> None:
    text = "a = 1\r\nb = 2\r\nc = 3\r\n"
    assert apply_edits(text, [edit(2, 4, 2, 5, "20"), edit(3, 0, 3, 1, "cc")]) == (
        "a = 1\r\nb = 20\r\ncc = 3\r\n"
    )
    # A span across a CRLF line break covers both characters.
    assert apply_edits(text, [edit(1, 5, 2, 0, " ")]) == "a = 1 b = 2\r\nc = 3\r\n"


def test_cr_only_and_mixed_line_endings() -> None:
    assert apply_edits("x\ry\rz", [edit(3, 0, 3, 1, "Z")]) == "x\ry\rZ"
    assert apply_edits("x\r\ny\nz\rw", [edit(4, 0, 4, 1, "W"), edit(2, 0, 2, 1, "Y")]) == (
        "x\r\nY\nz\rW"
    )


def test_form_feed_and_unicode_separators_do_not_end_lines() -> None:
    # Python counts lines by \r\n, \r and \n only; str.splitlines() would not.
    text = "\x0cx = 1\u2028# c\x85\ny = 2\n"
    assert apply_edits(text, [edit(2, 0, 2, 1, "z")]) == "\x0cx = 1\u2028# c\x85\nz = 2\n"
    assert apply_edits(text, [edit(1, 1, 1, 2, "X")]) == "\x0cX = 1\u2028# c\x85\ny = 2\n"


def test_tabs_are_one_column() -> None:
    text = "def f():\n\tif x:\n\t\treturn 1\n"
    assert apply_edits(text, [edit(3, 2, 3, 8, "yield")]) == "def f():\n\tif x:\n\t\tyield 1\n"


def test_columns_count_code_points() -> None:
    # 'é' is 2 bytes in UTF-8, the emoji 4 bytes and 2 UTF-16 units: each is one column.
    text = "s = 'é😀'; t = open(p)\n"
    start = text.index("open")
    new = apply_edits(text, [edit(1, start, 1, start + 4, "io.open")])
    assert new == "s = 'é😀'; t = io.open(p)\n"


def test_edits_at_end_of_file_without_trailing_newline() -> None:
    text = "a\nlast"
    assert apply_edits(text, [edit(2, 4, 2, 4, "\n")]) == "a\nlast\n"
    assert apply_edits(text, [edit(2, 0, 2, 4, "x")]) == "a\nx"
    assert apply_edits(text, [edit(1, 1, 2, 4, "")]) == "a"
    with pytest.raises(ValueError, match="line 3"):
        apply_edits(text, [edit(3, 0, 3, 0, "x")])


def test_the_empty_line_after_a_final_newline_is_addressable() -> None:
    assert apply_edits("a\n", [edit(2, 0, 2, 0, "b\n")]) == "a\nb\n"
    assert apply_edits("", [edit(1, 0, 1, 0, "x")]) == "x"


def test_overlapping_edits_are_rejected() -> None:
    text = "0123456789\n"
    with pytest.raises(ValueError, match="overlap"):
        apply_edits(text, [edit(1, 0, 1, 5, "a"), edit(1, 4, 1, 6, "b")])
    with pytest.raises(ValueError, match="overlap"):  # in any order
        apply_edits(text, [edit(1, 4, 1, 6, "b"), edit(1, 0, 1, 5, "a")])
    with pytest.raises(ValueError, match="overlap"):  # an insertion inside a replacement
        apply_edits(text, [edit(1, 0, 1, 5, "a"), edit(1, 2, 1, 2, "b")])


def test_touching_edits_and_insertions_at_one_point_are_allowed() -> None:
    text = "0123456789"
    assert apply_edits(text, [edit(1, 5, 1, 10, "B"), edit(1, 0, 1, 5, "A")]) == "AB"
    # An insertion at either end of a replacement, and two insertions in their given order.
    assert apply_edits(text, [edit(1, 2, 1, 4, "-"), edit(1, 4, 1, 4, "+")]) == "01-+456789"
    assert apply_edits(text, [edit(1, 0, 1, 0, "a"), edit(1, 0, 1, 0, "b")]) == "ab0123456789"


def test_positions_out_of_range_are_rejected() -> None:
    with pytest.raises(ValueError, match="column 3"):
        apply_edits("ab\ncd\n", [edit(1, 3, 1, 3, "x")])  # past the end of line 1
    with pytest.raises(ValueError, match="line 0"):
        apply_edits("ab\n", [edit(0, 0, 1, 0, "x")])
    with pytest.raises(ValueError, match="ends before"):
        apply_edits("ab\n", [edit(1, 2, 1, 1, "x")])


def test_line_index_offsets() -> None:
    index = LineIndex("ab\r\ncd\ref\n")
    assert [index.offset(n, 0) for n in (1, 2, 3, 4)] == [0, 4, 7, 10]
    assert index.offset(2, 2) == 6


def test_newline_of() -> None:
    assert newline_of("a\r\nb\n") == "\r\n"
    assert newline_of("a\rb") == "\r"
    assert newline_of("a\nb\r") == "\n"
    assert newline_of("a") == "\n"


# fix_source with a stand-in engine --------------------------------------------------------

Rule = Callable[[str], list[Finding]]


def finding(line: int, col: int, end: int, fix: Fix | None, code: str = "UL101") -> Finding:
    return Finding(code, "leak", Span(line, col, line, end), Severity.WARNING, fix=fix)


def word_rule(word: str, replacement: str, safe: bool = True) -> Rule:
    """Each occurrence of ``word`` is a finding whose fix replaces it."""

    def rule(text: str) -> list[Finding]:
        out = []
        for n, line in enumerate(re.split(r"\r\n|\r|\n", text), 1):
            for m in re.finditer(re.escape(word), line):
                fix = Fix(
                    f"use {replacement}", safe, (edit(n, m.start(), n, m.end(), replacement),)
                )
                out.append(finding(n, m.start(), m.end(), fix))
        return out

    return rule


class FakeEngine:
    def __init__(self, *rules: Rule) -> None:
        self.rules = rules
        self.analysed: list[str] = []

    def __call__(self, text: str, *args: object, **kwargs: object) -> ModuleReport:
        self.analysed.append(text)
        findings = [f for rule in self.rules for f in rule(text)]
        return ModuleReport(sorted(findings, key=Finding.sort_key))


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch) -> Callable[..., FakeEngine]:
    def install(*rules: Rule) -> FakeEngine:
        fake = FakeEngine(*rules)
        monkeypatch.setattr(api, "analyse_source", fake)
        return fake

    return install


def test_fixes_apply_and_the_result_is_reanalysed(engine: Callable[..., FakeEngine]) -> None:
    fake = engine(word_rule("leak", "safe"))
    result = fix_source("a = leak()\nb = leak()\n", "m.py", Settings())
    assert result.text == "a = safe()\nb = safe()\n"
    assert [f.span.line for f in result.applied] == [1, 2]
    assert result.remaining == []
    assert fake.analysed == ["a = leak()\nb = leak()\n", result.text]  # one pass, then done


def test_fixes_on_the_same_line_wait_for_the_next_pass(
    engine: Callable[..., FakeEngine],
) -> None:
    fake = engine(word_rule("leak", "safe"))
    result = fix_source("x = leak(), leak()\ny = 1\n", "m.py", Settings())
    assert result.text == "x = safe(), safe()\ny = 1\n"
    assert len(result.applied) == 2
    assert len(fake.analysed) == 3  # the second fix came in a second pass


def test_fixes_spanning_lines_block_the_lines_they_touch(
    engine: Callable[..., FakeEngine],
) -> None:
    def wide(text: str) -> list[Finding]:
        if "first = 0" not in text:
            return []
        return [finding(1, 0, 1, Fix("wide", True, (edit(1, 0, 2, 1, "first = 1\nz"),)))]

    fake = engine(wide, word_rule("leak", "safe"))
    result = fix_source("first = 0\nx = leak()\n", "m.py", Settings())
    assert result.text == "first = 1\nz = safe()\n"
    assert len(fake.analysed) >= 3


def test_unsafe_fixes_only_when_asked(engine: Callable[..., FakeEngine]) -> None:
    engine(word_rule("leak", "safe", safe=False))
    kept = fix_source("a = leak()\n", "m.py", Settings())
    assert (kept.text, kept.applied, len(kept.remaining)) == ("a = leak()\n", [], 1)
    fixed = fix_source("a = leak()\n", "m.py", Settings(), unsafe=True)
    assert fixed.text == "a = safe()\n" and len(fixed.applied) == 1


def test_a_fix_that_breaks_compilation_is_dropped_and_the_others_kept(
    engine: Callable[..., FakeEngine],
) -> None:
    engine(word_rule("leak", "safe"), word_rule("oops", "(("))
    text = "a = leak()\nb = oops\nc = leak()\nd = oops\ne = leak()\n"
    result = fix_source(text, "m.py", Settings())
    assert result.text == "a = safe()\nb = oops\nc = safe()\nd = oops\ne = safe()\n"
    assert len(result.applied) == 3
    assert [f.span.line for f in result.remaining] == [2, 4]
    compile(result.text, "m.py", "exec")


def test_fixes_that_break_compilation_only_together(engine: Callable[..., FakeEngine]) -> None:
    # Each compiles alone; together `g` is assigned before its global declaration.
    def assign(text: str) -> list[Finding]:
        if "    pass\n    pass\n" not in text:
            return []
        return [finding(2, 4, 8, Fix("assign", True, (edit(2, 4, 2, 8, "g = 1"),)))]

    def declare(text: str) -> list[Finding]:
        if not text.endswith("    pass\n"):
            return []
        return [finding(3, 4, 8, Fix("declare", True, (edit(3, 4, 3, 8, "global g"),)))]

    fake = engine(assign, declare)
    result = fix_source("def f():\n    pass\n    pass\n", "m.py", Settings())
    assert result.text == "def f():\n    g = 1\n    pass\n"
    assert [f.fix.description for f in result.applied if f.fix] == ["assign"]
    # The dropped fix is not tried again, nor offered with what remains.
    assert [(f.span.line, f.fix) for f in result.remaining] == [(3, None)]
    assert len(fake.analysed) == 2


def test_a_file_that_does_not_compile_is_not_fixed(engine: Callable[..., FakeEngine]) -> None:
    engine(word_rule("leak", "safe"))
    text = "a = leak()\ndef (:\n"
    result = fix_source(text, "m.py", Settings())
    assert (result.text, result.applied) == (text, [])
    assert len(result.remaining) == 1


def test_max_passes_bounds_the_loop(engine: Callable[..., FakeEngine]) -> None:
    # Each fix removes its finding and brings a new one in a new function (not its own).
    def grow(text: str) -> list[Finding]:
        n, line = text.count("def "), text.count("\n") + 1
        add = edit(line, 0, line, 0, f"def f{n}():\n    pass\n")
        return [finding(max(line - 2, 1), 0, 1, Fix("grow", True, (add,)))]

    fake = engine(grow)
    result = fix_source("", "m.py", Settings(), max_passes=3)
    assert result.text == "".join(f"def f{n}():\n    pass\n" for n in range(3))
    assert len(result.applied) == 3 and len(result.remaining) == 1
    # Three passes, and the fix left over checked before it is offered with what remains.
    assert len(fake.analysed) == 5 and result.remaining[0].fix is not None


def test_fixes_that_undo_each_other_stop(engine: Callable[..., FakeEngine]) -> None:
    # Each fix brings the other's finding: neither passes its check.
    engine(word_rule("ping", "pong"), word_rule("pong", "ping"))
    result = fix_source("ping\n", "m.py", Settings())
    assert (result.text, result.applied) == ("ping\n", [])


# The fixes' own check: applied, analysed again, a fix must remove its finding and add none
# in its definition.


def test_a_fix_that_leaves_its_finding_is_dropped(engine: Callable[..., FakeEngine]) -> None:
    def stays(text: str) -> list[Finding]:
        return [
            finding(n, 0, 1, Fix("comment", True, (edit(n, 0, n, 0, "# "),)))
            for n, line in enumerate(text.splitlines(), 1)
            if "stays()" in line
        ]

    engine(stays, word_rule("leak", "safe"))
    result = fix_source("x = stays()\ny = leak()\n", "m.py", Settings())
    assert result.text == "x = stays()\ny = safe()\n"  # the comment would hide nothing
    assert [f.fix.description for f in result.applied if f.fix] == ["use safe"]


def test_a_fix_adding_a_finding_in_its_function_is_dropped_not_others(
    engine: Callable[..., FakeEngine],
) -> None:
    text = "def f():\n    a = leak()\n    b = leak()\n\n\ndef g():\n    c = leak()\n"

    def breaks(text: str) -> list[Finding]:
        # `broken` is a new problem, reported in the function the fix touched.
        return [
            Finding("UL110", "used after release", Span(n, 0, n, 1), Severity.WARNING)
            for n, line in enumerate(text.splitlines(), 1)
            if "broken" in line
        ]

    def fix_a(text: str) -> list[Finding]:
        if "a = leak()" not in text:
            return []
        n = text.splitlines().index("    a = leak()") + 1
        return [finding(n, 4, 5, Fix("a", True, (edit(n, 4, n, 14, "a = broken()"),)))]

    fake = engine(breaks, fix_a, word_rule("b = leak", "b = safe"), word_rule("c = leak", "c = ok"))
    result = fix_source(text, "m.py", Settings())
    assert "a = leak()" in result.text  # its fix broke f: not applied
    assert "b = safe()" in result.text and "c = ok()" in result.text
    assert "broken" not in result.text
    assert sorted(f.fix.description for f in result.applied if f.fix) == [
        "use b = safe",
        "use c = ok",
    ]
    assert len(fake.analysed) <= 6


def test_a_real_fix_that_fails_its_check_is_not_applied(monkeypatch: pytest.MonkeyPatch) -> None:
    # A stand-in fix builder whose `with` ends too early: the reader is used after it.
    import unleak.fixes.registry as registry
    from unleak.pipeline.fix_check import check_settings

    text = (
        "import csv\n\n\ndef rows(p):\n    f = open(p)\n    r = csv.reader(f)\n    return list(r)\n"
    )
    bad = (
        "import csv\n\n\ndef rows(p):\n    with open(p) as f:\n        r = csv.reader(f)\n"
        "    return list(r)\n"
    )
    assert [f.code for f in api.check_source(bad, "m.py", check_settings(Settings()))] == ["UL110"]

    def too_short(context: object) -> Fix:
        return Fix("too short", True, (edit(5, 0, 7, 18, bad.split("\n", 4)[4].rstrip("\n")),))

    monkeypatch.setitem(registry.BUILDERS, "UL101", too_short)
    assert [f.fix.description for f in api.check_source(text, "m.py") if f.fix] == ["too short"]
    result = fix_source(text, "m.py", Settings(ignore=("UL110",)))
    assert (result.text, result.applied) == (text, [])
    assert [f.code for f in result.remaining] == ["UL101"]


def test_a_fix_changing_nothing_is_not_applied(engine: Callable[..., FakeEngine]) -> None:
    fake = engine(word_rule("same", "same"))
    result = fix_source("same = 1\n", "m.py", Settings())
    assert (result.text, result.applied, len(result.remaining)) == ("same = 1\n", [], 1)
    assert len(fake.analysed) == 1


def test_invalid_fix_positions_are_skipped(engine: Callable[..., FakeEngine]) -> None:
    def bad(text: str) -> list[Finding]:
        return [finding(1, 0, 1, Fix("bad", True, (edit(9, 0, 9, 0, "x"),)))]

    def self_overlapping(text: str) -> list[Finding]:
        edits = (edit(1, 0, 1, 3, "a"), edit(1, 1, 1, 2, "b"))
        return [finding(1, 0, 1, Fix("overlap", True, edits))]

    engine(bad, self_overlapping, word_rule("leak", "safe"))
    result = fix_source("x = 1\ny = leak()\n", "m.py", Settings())
    assert result.text == "x = 1\ny = safe()\n"
    assert len(result.remaining) == 2


def test_inserted_newlines_follow_the_file(engine: Callable[..., FakeEngine]) -> None:
    def insert(text: str) -> list[Finding]:
        if "import os" in text:
            return []
        return [finding(1, 0, 1, Fix("import", True, (edit(1, 0, 1, 0, "import os\n"),)))]

    engine(insert)
    assert fix_source("x = 1\r\n", "m.py").text == "import os\r\nx = 1\r\n"
    assert fix_source("x = 1\ry = 2\r", "m.py").text == "import os\rx = 1\ry = 2\r"
    assert fix_source("x = 1\n", "m.py").text == "import os\nx = 1\n"


def test_findings_without_applicable_fixes_skip_the_compile_check(
    engine: Callable[..., FakeEngine], monkeypatch: pytest.MonkeyPatch
) -> None:
    engine(lambda text: [finding(1, 0, 1, None)])
    import unleak.pipeline.fix_loop as apply_module

    def no_compile(text: str, path: str) -> bool:
        raise AssertionError("compiled")

    monkeypatch.setattr(apply_module, "compiles", no_compile)
    result = fix_source("x = 1\n", "m.py")
    assert result.applied == [] and len(result.remaining) == 1


REBOUND = """\
def concat_two(first, second):
    src = open(first, "rb")
    data = src.read()
    src = open(second, "rb")
    data += src.read()
    src.close()
    return data
"""


def test_a_finally_that_would_close_only_the_rebound_name_fails_its_check() -> None:
    import dataclasses

    from unleak.pipeline.fix_check import fix_holds

    (rebound,) = [f for f in api.check_source(REBOUND, "m.py") if f.code == "UL107"]
    # The builder's own fix ends the `with` before the rebinding, and holds.
    assert rebound.fix is not None and fix_holds(REBOUND, "m.py", Settings(), rebound)
    # A `finally` around the rebinding closes the second file, not the first: the check
    # catches it.
    bad = Fix(
        "Release in a `finally` block",
        True,
        (
            Edit(
                Span(3, 0, 6, 15),
                "    try:\n        data = src.read()\n        src = open(second, \"rb\")\n"
                "        data += src.read()\n    finally:\n        src.close()",
            ),
        ),
    )
    assert not fix_holds(REBOUND, "m.py", Settings(), dataclasses.replace(rebound, fix=bad))
    result = fix_source(REBOUND, "m.py", Settings())
    assert "UL107" in {f.code for f in result.applied} and not result.remaining
    assert result.text.count("with open(") == 2


PIPE_PAIR = """\
import os


def send(message):
    r, w = os.pipe()
    os.write(w, message)
    os.close(w)
    data = os.read(r, 100)
    os.close(r)
    return data
"""


def test_each_of_two_findings_on_one_call_is_checked_with_its_own_fix() -> None:
    # `r` and `w` share the span of `os.pipe()`: each fix, alone, is checked against its own
    # finding (the editor offers them one by one), not against the other one's.
    from unleak.pipeline.fix_check import fix_holds

    found = [f for f in api.check_source(PIPE_PAIR, "m.py") if f.fix is not None]
    assert len(found) == 2 and found[0].span == found[1].span
    assert all(fix_holds(PIPE_PAIR, "m.py", Settings(), f) for f in found)
