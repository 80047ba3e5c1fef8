"""The innermost definition containing a line, found by bisection in the module's body, is the
one a scan of every definition from the top finds."""

from __future__ import annotations

import ast
import inspect
import random
import tempfile

import pytest
from unleak.findings.explain import _defs_in, _first_line, _innermost

DECORATED = '''
import functools

x = 1
@functools.cache
def a():
    return 1
if x:
    @staticmethod
    def b():
        def c():
            pass
        return c
    class D:
        @property
        def e(self):
            return 2
else:
    def b():
        pass
try:
    def f(): return 1; y = 2
finally:
    pass
class G:
    def h(self):
        pass
'''


def _scanned(tree: ast.Module, line: int, last: int) -> tuple[object, ...]:
    node: ast.AST = tree
    body = tree.body
    first = 1
    while True:
        inner = next(
            (s for s in _defs_in(body) if _first_line(s) <= line <= (s.end_lineno or s.lineno)),
            None,
        )
        if inner is None:
            return node, first, last
        node, body = inner, inner.body
        first, last = _first_line(inner), inner.end_lineno or inner.lineno


@pytest.mark.parametrize("text", [DECORATED, inspect.getsource(tempfile)])
def test_bisection_finds_what_a_scan_finds(text: str) -> None:
    tree = ast.parse(text)
    lines = len(text.splitlines())
    rng = random.Random(1)
    for line in [*range(1, min(lines, 40) + 1), *rng.sample(range(1, lines + 1), min(lines, 100))]:
        node, _, first, last, _ = _innermost(tree, line, lines)
        assert (node, first, last) == _scanned(tree, line, lines), line
