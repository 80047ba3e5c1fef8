"""Valid code nested deeper than the recursion limit (a 1,500-term sum, a 2,000-attribute
chain, both compiled by CPython) costs only the definition holding it: a note says which
definition was not checked, and a leak in another function is still reported."""

from __future__ import annotations

import ast
import sys

import pytest
from unleak.names.text import callee_name, expr_text
from unleak.pipeline.api import analyse_source

SUM = " + ".join(["1"] * 1500)
CHAIN = "x" + ".a" * 2000
CALL_CHAIN = "make()" + ".a" * 2000


def source(expression: str) -> str:
    return (
        "def deep(path, x):\n"
        "    f = open(path)\n"
        f"    y = {expression}\n"
        "    f.close()\n"
        "    return y\n"
        "\n"
        "def leak(path):\n"
        "    g = open(path)\n"
        "    return g.read()\n"
    )


@pytest.mark.parametrize("expression", [SUM, CHAIN, CALL_CHAIN], ids=["sum", "chain", "call"])
def test_one_deep_definition_does_not_stop_the_file(expression: str) -> None:
    text = source(expression)
    compile(text, "deep.py", "exec")  # valid Python, which CPython compiles
    report = analyse_source(text, "deep.py")
    got = [(f.code, f.span.line, f.severity.value) for f in report.findings]
    assert ("UL101", 8, "warning") in got
    # Expressions are followed by iterating, not recursing: the deep definition is checked
    # too (no "nested too deeply" note), by every rule.
    assert [f.message for f in report.findings if f.code == "UL001"] == []


@pytest.mark.parametrize("expression", [SUM, CHAIN, CALL_CHAIN], ids=["sum", "chain", "call"])
def test_a_leak_next_to_a_deep_expression_is_found(expression: str) -> None:
    text = source(expression).replace("    f.close()\n", "")
    report = analyse_source(text, "deep.py")
    assert [(f.code, f.span.line) for f in report.findings] == [("UL101", 2), ("UL101", 7)]


def test_expression_text_does_not_recurse() -> None:
    limit = sys.getrecursionlimit()
    for expression in (SUM, CALL_CHAIN, f"({SUM}).read"):
        node = ast.parse(expression, mode="eval").body
        text = expr_text(node)
        assert len(text) < 100 and text.endswith("…"), text
        assert sys.getrecursionlimit() == limit
    call = ast.parse(f"{CHAIN}.open()", mode="eval").body
    assert isinstance(call, ast.Call)
    assert callee_name(call).endswith(".a.open()")
    assert expr_text(ast.parse("a.b + c(d)", mode="eval").body) == "a.b + c(d)"
