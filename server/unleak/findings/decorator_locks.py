"""Locks a method's decorator holds while the method runs.

gevent's `_GILLock` guards its methods with a decorator of its module:
`def atomic(meth): def m(self, *args): with self._atomic: return meth(self, *args)`.
Inside `@atomic def acquire(self)`, `self._atomic.release()` ... `finally:
self._atomic.acquire()` gives the lock up for a while and takes it back for the decorator's
`with` to release; read alone, the method looks as if it returned holding `self._atomic`.

The analysis treats the method's body as a `with self._atomic:` block (see
`Scope.lock_withs`): an acquire() of that lock inside it is released by the block's exit.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from unleak.source.walk import walk

Def = ast.FunctionDef | ast.AsyncFunctionDef


def module_decorators(tree: ast.Module) -> dict[str, Def]:
    """The module's top-level functions, by name: the decorators it may define."""
    return {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}


def decorator_locks(method: Def, decorators: dict[str, Def]) -> list[str]:
    """The lock expressions (`self._atomic`, in the method's own names) that the method's
    decorators hold with a `with` around each call of it."""
    params = [*method.args.posonlyargs, *method.args.args]
    if not params:
        return []
    receiver = params[0].arg
    out: list[str] = []
    for dec in method.decorator_list:
        deco = decorators.get(dec.id) if isinstance(dec, ast.Name) else None
        if deco is None or len(deco.args.args) != 1:
            continue
        out.extend(f"{receiver}.{attr}" for attr in _held_attributes(deco))
    return out


def held_attributes(deco: Def) -> tuple[str, ...]:
    """The attributes of its wrapper's receiver that the decorator ``deco`` holds around the
    call of the function it wraps (none unless it takes exactly that function)."""
    return tuple(_held_attributes(deco)) if len(deco.args.args) == 1 else ()


def _held_attributes(deco: Def) -> Iterable[str]:
    """`def atomic(meth): def m(self, *args): with self.X: return meth(self, *args)`: X."""
    wrapped = deco.args.args[0].arg
    for inner in deco.body:
        if not isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        inner_params = [*inner.args.posonlyargs, *inner.args.args]
        if not inner_params:
            continue
        receiver = inner_params[0].arg
        for stmt in inner.body:
            if not isinstance(stmt, (ast.With, ast.AsyncWith)) or not _calls(stmt.body, wrapped):
                continue
            for item in stmt.items:
                expr = item.context_expr
                if (
                    item.optional_vars is None
                    and isinstance(expr, ast.Attribute)
                    and isinstance(expr.value, ast.Name)
                    and expr.value.id == receiver
                ):
                    yield expr.attr


def _calls(body: list[ast.stmt], name: str) -> bool:
    """Whether the block calls ``name`` (the decorated function) directly."""
    return any(
        isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name) and sub.func.id == name
        for stmt in body
        for sub in walk(stmt)
    )
