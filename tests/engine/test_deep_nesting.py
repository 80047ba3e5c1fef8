"""Valid code nested deeper than the recursion limit (a 1,500-term sum, a 2,000-attribute
chain, chains of 2,500 calls or subscripts, an `elif` chain of 2,000 branches: all compiled
by CPython) is analysed fully: the engine's walks over expressions and statements iterate
instead of recursing. What the running Python cannot parse costs only its definition."""

from __future__ import annotations

import ast
import sys
import time

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


# Shapes each level of which is one node deeper, at a depth the parser of every Python the
# tests run on accepts (3.11 and 3.12 stop near 2,980; the recursion limit is 1,000).
DEEP = 2500
SHAPES = {
    "calls": lambda n: "x" + "(1)" * n,
    "subscripts": lambda n: "x" + "[0]" * n,
    "methods": lambda n: "x" + ".a()" * (n // 2),
    "trailers": lambda n: "x" + "".join((".a", "(1)", "[0]")[i % 3] for i in range(n)),
    "not": lambda n: "not " * n + "x",
    "conditional": lambda n: " if x else ".join(["x"] * n),
    "power": lambda n: " ** ".join(["x"] * n),
    "lambdas": lambda n: "lambda: " * n + "x",
    # Nested parentheses stop at 200 in the parser.
    "arguments": lambda n: "iter(" * 190 + "x" + ")" * 190,
}


def analysed(text: str) -> list[tuple[str, int]]:
    ast.parse(text)  # valid Python
    return [(f.code, f.span.line) for f in analyse_source(text, "deep.py").findings]


def with_expression(line: str) -> str:
    return (
        "def deep(path, x):\n"
        "    h = open(path)\n"
        f"{line}"
        "    h.close()\n"
        "\n"
        "def leak(path):\n"
        "    g = open(path)\n"
        "    return g.read()\n"
    )


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("where", ["assigned", "tested", "argument"])
def test_deep_expressions_are_analysed(shape: str, where: str) -> None:
    line = {
        "assigned": "    y = {}\n",
        "tested": "    if {}:\n        pass\n",
        "argument": "    h.write({})\n",
    }[where]
    deep = analysed(with_expression(line.format(SHAPES[shape](DEEP))))
    # The same findings as for the shallow version of the expression (say, the exception
    # path of `h` if the line may raise), and nothing says a definition or rule was skipped.
    assert deep == analysed(with_expression(line.format(SHAPES[shape](3))))
    leak_line = with_expression(line).count("\n") - 1
    assert deep[-1] == ("UL101", leak_line)
    assert "UL001" not in dict(deep)


@pytest.mark.parametrize("shape", ["conditional", "arguments", "lambdas", "calls", "subscripts"])
def test_use_after_release_follows_deep_values(shape: str) -> None:
    # UL110 follows what is built from the file through the whole expression (it reports
    # `f if x else f ...`, `iter(iter(... f))` and a lambda; not unknown calls or items).
    def source(depth: int) -> str:
        expression = SHAPES[shape](depth).replace("x", "f")
        return (
            f"def deep(path):\n    with open(path) as f:\n        y = {expression}\n    return y\n"
        )

    expected = [] if shape in ("calls", "subscripts") else [("UL110", 4)]
    assert analysed(source(3)) == expected
    assert analysed(source(DEEP)) == expected


def test_a_long_elif_chain_is_analysed() -> None:
    branches = "".join(f"    elif x == {i}:\n        y = {i}\n" for i in range(1, 2000))
    text = (
        "def deep(path, x):\n"
        "    h = open(path)\n"
        "    if x == 0:\n"
        "        y = 0\n"
        f"{branches}"
        "    h.close()\n"
        "    return h.read(y)\n"
        "\n"
        "def leak(path):\n"
        "    g = open(path)\n"
        "    return g.read()\n"
    )
    compile(text, "deep.py", "exec")
    last = text.count("\n")
    # The read after close() is found past the 2,000 branches (UL110), and nothing is skipped.
    assert analysed(text) == [("UL110", last - 4), ("UL101", last - 1)]


def test_a_with_of_many_items_is_analysed() -> None:
    items = ", ".join(f"open(p) as f{i}" for i in range(1500))
    text = f"def many(p):\n    with {items}:\n        pass\n    return f0.read()\n"
    assert analysed(text) == [("UL110", 4)]


def test_nested_lambdas_cost_linear_time() -> None:
    # Finding whether a nested scope uses a name walked each nested scope again: 2,500
    # nested lambdas took 10 s of CPU.
    lambdas = SHAPES["lambdas"](DEEP)
    text = f"def deep(path, x):\n    h = open(path)\n    y = {lambdas}\n    return y\n"
    start = time.process_time()
    assert analysed(text) == [("UL101", 2)]
    assert time.process_time() - start < 3.0


UNPARSABLE = " + ".join(["x"] * 20_000)  # past the parser of every Python 3.10 to 3.13


@pytest.mark.parametrize("in_class", [False, True], ids=["function", "method"])
def test_what_this_python_cannot_parse_is_a_note_on_its_definition(in_class: bool) -> None:
    pad = "    " if in_class else ""
    text = (
        ("class Box:\n" if in_class else "")
        + f"{pad}@staticmethod\n"
        + f"{pad}def unparsable(x):\n"
        + f"{pad}    return {UNPARSABLE}\n"
        + "\n"
        + "def leak(path):\n"
        + "    g = open(path)\n"
        + "    return g.read()\n"
    )
    with pytest.raises((RecursionError, MemoryError)):
        ast.parse(text)
    report = analyse_source(text, "deep.py")
    note, leak = report.findings
    assert (leak.code, leak.span.line) == ("UL101", 6 + in_class)
    running = ".".join(map(str, sys.version_info[:2]))
    assert (note.code, note.severity.value) == ("UL001", "info")
    assert note.message == (
        f"`unparsable` is nested too deeply for Python {running} to parse, so it is not "
        "checked for leaks; the rest of the file is"
    )
    header = f"{pad}def unparsable(x):"
    assert (note.span.line, note.span.column, note.span.end_column) == (
        2 + in_class,
        len(pad),
        len(header),
    )
