"""Locks handed from one method to a sibling: `acquire()` in `enter()` and `release()` in
`leave()` of the same class, by design. The acquiring method returning with the lock held is
then not a leak (an exception before it returns still is)."""

from __future__ import annotations

import ast

from unleak.catalogue import LOCKS
from unleak.names.text import expr_text


def released_by_sibling(cls: ast.ClassDef, method: ast.AST, lock_key: str) -> bool:
    """Whether another method of ``cls`` releases `self.<lock>` without acquiring it."""
    if not lock_key.startswith("self."):
        return False
    for stmt in cls.body:
        if stmt is method or not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        releases = acquires = False
        for n in ast.walk(stmt):
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute):
                if expr_text(n.func.value) != lock_key:
                    continue
                if n.func.attr == LOCKS.release:
                    releases = True
                elif n.func.attr == LOCKS.acquire:
                    acquires = True
            elif isinstance(n, ast.withitem) and expr_text(n.context_expr) == lock_key:
                acquires = True
        if releases and not acquires:
            return True
    return False
