"""Conditional releases: `if C: x.close()` where `C` is not a guard on `x` itself.

A `finally` fix moves such a release whole. Which form it takes depends on what `C` says:

- the resource was acquired unconditionally in the same block (`f = open(p)` … `if data:
  f.close()`): `C` only decides whether the program bothered to close it, and on the other
  path it leaks. The `finally` releases it unconditionally, so the condition must have no
  effect of its own (it is no longer evaluated) and nothing may use the resource after it.
- the resource was acquired in one branch of an `if` (`if stream is None: stream =
  open(p); owned = True`): `C` says whether it is ours (`if owned: stream.close()`), and the
  `finally` keeps it, so the names it reads must be bound before the `try`.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from unleak.fixes.guards import guard_of
from unleak.fixes.rewrite import sub_blocks
from unleak.source.walk import walk

_PURE = (
    ast.Name,
    ast.Constant,
    ast.Attribute,
    ast.BoolOp,
    ast.Compare,
    ast.expr_context,
    ast.boolop,
    ast.Not,
    ast.Is,
    ast.IsNot,
    ast.Eq,
    ast.NotEq,
)


def pure_condition(test: ast.expr) -> bool:
    """A test that only reads names and attributes: dropping or repeating it has no effect."""
    return all(
        isinstance(n, _PURE) or (isinstance(n, ast.UnaryOp) and isinstance(n.op, ast.Not))
        for n in walk(test)
    )


def conditional_release(
    stmt: ast.stmt, name: str, releases: Callable[[ast.stmt], bool]
) -> ast.stmt | None:
    """The release in `if C: release` (no `else`, nothing else in its body; `C` a pure test
    that is no guard on ``name``), or None."""
    if (
        isinstance(stmt, ast.If)
        and not stmt.orelse
        and len(stmt.body) == 1
        and guard_of(stmt.test, name) is None
        and pure_condition(stmt.test)
        and releases(stmt.body[0])
    ):
        return stmt.body[0]
    return None


def enclosing_if(body: list[ast.stmt], block: list[ast.stmt]) -> tuple[list[ast.stmt], int] | None:
    """The statement list holding the `if` one of whose branches is ``block``, and its index
    there (not looking into nested scopes)."""
    for i, stmt in enumerate(body):
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        if isinstance(stmt, ast.If) and (stmt.body is block or stmt.orelse is block):
            return body, i
        for sub in sub_blocks(stmt):
            found = enclosing_if(sub, block)
            if found is not None:
                return found
    return None


def stores(stmts: list[ast.stmt], names: set[str]) -> bool:
    """Whether ``stmts`` bind one of ``names``."""
    return any(
        isinstance(n, ast.Name) and n.id in names and not isinstance(n.ctx, ast.Load)
        for s in stmts
        for n in walk(s)
    )


def bound_on_every_branch(
    branch: ast.If, before: list[ast.stmt], params: set[str], names: set[str]
) -> bool:
    """Whether each of ``names`` is a parameter, bound before ``branch`` (by ``before``) or
    by both of its branches at their top level: then it is bound after the `if` on every
    path."""
    for n in names:
        if n in params or stores(before, {n}):
            continue
        if not (_binds_at_top(branch.body, n) and _binds_at_top(branch.orelse, n)):
            return False
    return True


def _binds_at_top(block: list[ast.stmt], name: str) -> bool:
    return any(
        isinstance(s, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == name for t in s.targets)
        for s in block
    )


def condition_names(test: ast.expr) -> set[str]:
    return {n.id for n in walk(test) if isinstance(n, ast.Name)}
