"""Registrations undone in `finally`: `log.addHandler(h)` then `try: … finally:
log.removeHandler(h)`.

Handing a resource to a registry keeps it there, so a fix that releases the resource would
normally be refused. When the registration is followed at once by a `try` whose `finally`
takes it back from the same registry, the registry no longer holds it once that `try`
statement ends, on every path: releasing it after that point changes nothing the registry
sees.
"""

from __future__ import annotations

import ast

from unleak.catalogue import UNDONE_BY
from unleak.names.resolver import statement_call
from unleak.names.text import expr_text
from unleak.source.walk import walk


def undone_registrations(stmts: list[ast.stmt], name: str) -> set[int]:
    """The ids of the ``name`` nodes of registrations in ``stmts`` (searched at every level)
    that a `try` right after them undoes in its `finally`, and of those undoing calls."""
    out: set[int] = set()
    for block in _blocks(stmts):
        for i, stmt in enumerate(block[:-1]):
            found = _call_with(stmt, name, UNDONE_BY)
            after = block[i + 1]
            if found is None or not isinstance(after, ast.Try):
                continue
            receiver, method, use = found
            for undo in after.finalbody:
                taken = _call_with(undo, name, {UNDONE_BY[method]: ""})
                if taken is not None and taken[0] == receiver:
                    out |= {id(use), id(taken[2])}
                    break
    return out


def registered(stmts: list[ast.stmt], name: str) -> set[int]:
    """The ids of the ``name`` nodes that registrations in ``stmts`` (at every level) hand
    to their receiver."""
    out: set[int] = set()
    for block in _blocks(stmts):
        for stmt in block:
            found = _call_with(stmt, name, UNDONE_BY)
            if found is not None:
                out.add(id(found[2]))
    return out


def _call_with(
    stmt: ast.stmt, name: str, methods: dict[str, str]
) -> tuple[str, str, ast.Name] | None:
    """`receiver.method(name, ...)` as a statement: its receiver's text, the method and the
    `name` node."""
    call = statement_call(stmt)
    if call is None or not isinstance(stmt, ast.Expr) or stmt.value is not call:
        return None
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr not in methods or not call.args:
        return None
    first = call.args[0]
    if not isinstance(first, ast.Name) or first.id != name:
        return None
    if any(isinstance(n, ast.Name) and n.id == name for a in call.args[1:] for n in walk(a)):
        return None
    return expr_text(func.value), func.attr, first


def _blocks(stmts: list[ast.stmt]) -> list[list[ast.stmt]]:
    out = [stmts]
    for stmt in stmts:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for field in ("body", "orelse", "finalbody"):
            sub = getattr(stmt, field, None)
            if isinstance(sub, list) and sub and isinstance(sub[0], ast.stmt):
                out += _blocks(sub)
        for handler in getattr(stmt, "handlers", ()):
            out += _blocks(handler.body)
    return out
