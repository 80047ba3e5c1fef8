"""Error-tolerant parsing: a syntax error hides nothing outside its definition."""

from __future__ import annotations

import ast
import textwrap

from unleak.pipeline.api import check_source
from unleak.source.parsing import parse_module


def test_valid_module_parses_whole() -> None:
    parsed = parse_module("x = 1\ndef f():\n    return x\n")
    assert parsed.errors == []
    assert [type(s).__name__ for s in parsed.tree.body] == ["Assign", "FunctionDef"]


def test_broken_function_keeps_neighbours() -> None:
    src = textwrap.dedent(
        """\
        def before(p):
            return open(p).read()

        def broken(:
            pass

        def after(p):
            f = open(p)
            return f.read()
        """
    )
    parsed = parse_module(src)
    names = [s.name for s in parsed.tree.body if isinstance(s, ast.FunctionDef)]
    assert names == ["before", "after"]
    assert [e.span.line for e in parsed.errors] == [4]
    found = {(f.span.line, f.code) for f in check_source(src)}
    assert found == {(2, "UL101"), (4, "UL001"), (8, "UL101")}


def test_broken_method_keeps_other_methods_with_their_columns() -> None:
    src = textwrap.dedent(
        """\
        class C:
            def ok(self, p):
                f = open(p)
                return f.read()

            def bad(self:
                pass
        """
    )
    parsed = parse_module(src)
    (cls,) = parsed.tree.body
    assert isinstance(cls, ast.ClassDef)
    assert [m.name for m in cls.body if isinstance(m, ast.FunctionDef)] == ["ok"]
    findings = check_source(src)
    leak = next(f for f in findings if f.code == "UL101")
    # Columns survive the dedent used to parse the member on its own.
    assert (leak.span.line, leak.span.column) == (3, 12)


def test_string_with_column_zero_lines_is_not_split() -> None:
    src = 'def f():\n    s = """\nnot code\n"""\n    return s\ndef g(:\n'
    parsed = parse_module(src)
    assert [s.name for s in parsed.tree.body if isinstance(s, ast.FunctionDef)] == ["f"]


def test_nul_bytes_and_deep_nesting_do_not_raise() -> None:
    assert [f.code for f in check_source("x = 1\0\n")] == ["UL001"]
    deep = "x = " + "(" * 5000 + "1" + ")" * 5000 + "\n"
    assert [f.code for f in check_source(deep)] == ["UL001"]
