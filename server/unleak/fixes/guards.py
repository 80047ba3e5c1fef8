"""Guards on a resource name: `if x is not None`, `if x:`, `if not x: return`.

A factory that may return None (`open_optional(p)`) is guarded where it is used; a release
moved into `finally` runs on every path, the guarded-off one included, so it must keep the
guard (or start after a guard that leaves).
"""

from __future__ import annotations

import ast
from enum import Enum

from unleak.source.walk import walk


class Guard(str, Enum):
    TRUTH = "truth"  # `if x:` / `if not x:`
    NOT_NONE = "not-none"  # `if x is not None:` / `if x is None:`

    def spelled(self, name: str) -> str:
        return f"if {name}:" if self is Guard.TRUTH else f"if {name} is not None:"


def guard_of(test: ast.expr, name: str) -> tuple[Guard, bool] | None:
    """The kind of guard ``test`` is on ``name`` and whether it holds when the resource is
    there (True for `x`, `x is not None`; False for `not x`, `x is None`); None otherwise."""
    if isinstance(test, ast.Name) and test.id == name:
        return Guard.TRUTH, True
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = guard_of(test.operand, name)
        return (inner[0], not inner[1]) if inner else None
    if (
        isinstance(test, ast.Compare)
        and len(test.ops) == 1
        and isinstance(test.left, ast.Name)
        and test.left.id == name
        and isinstance(test.comparators[0], ast.Constant)
        and test.comparators[0].value is None
    ):
        op = test.ops[0]
        if isinstance(op, (ast.IsNot, ast.NotEq)):
            return Guard.NOT_NONE, True
        if isinstance(op, (ast.Is, ast.Eq)):
            return Guard.NOT_NONE, False
    return None


def _leaves(body: list[ast.stmt]) -> bool:
    return bool(body) and isinstance(body[-1], (ast.Return, ast.Raise, ast.Continue, ast.Break))


def leading_exit_guard(stmt: ast.stmt, name: str) -> bool:
    """`if not x: return ...` (no else): past it the resource is there."""
    if not isinstance(stmt, ast.If) or stmt.orelse:
        return False
    found = guard_of(stmt.test, name)
    return found is not None and not found[1] and _leaves(stmt.body)


def guards_in(stmts: list[ast.stmt], name: str) -> list[Guard]:
    """Every guard on ``name`` that the statements test (nested blocks included)."""
    out: list[Guard] = []
    for s in stmts:
        for node in walk(s):
            test = getattr(node, "test", None)
            if isinstance(node, (ast.If, ast.While, ast.IfExp, ast.Assert)) and test is not None:
                out += [found[0] for part in _conditions(test) if (found := guard_of(part, name))]
    return out


def _conditions(test: ast.expr) -> list[ast.expr]:
    """The conditions a test combines with `and`/`or` (`x in y` tests no guard on `y`)."""
    if isinstance(test, ast.BoolOp):
        return [c for v in test.values for c in _conditions(v)]
    return [test]


def guarded_release(stmt: ast.stmt, name: str) -> ast.stmt | None:
    """The release inside `if x is not None: x.close()` / `if x: x.close()`, or None."""
    if (
        isinstance(stmt, ast.If)
        and not stmt.orelse
        and len(stmt.body) == 1
        and (found := guard_of(stmt.test, name)) is not None
        and found[1]
    ):
        return stmt.body[0]
    return None
