"""Base classes made by a call: `TableBase: type[Table] = with_typehint(Table)` then
`class TinyDB(TableBase)`. What the base is depends on the function called, often in another
module: the module's summary records the call (name -> callee), and which of its functions
return the class `object` at run time (`if TYPE_CHECKING: return baseclass` / `return
object`, a base that only type checkers see), so that the index can look through the base."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator

from unleak.source.walk import walk

_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef)


def base_aliases(tree: ast.Module, qualify: Callable[[ast.expr], str | None]) -> dict[str, str]:
    """Module-level names bound once, to a call's result, and used as a base of one of the
    module's classes: name -> the callee's qualified name."""
    used = {
        b.id
        for stmt in tree.body
        if isinstance(stmt, ast.ClassDef)
        for b in stmt.bases
        if isinstance(b, ast.Name)
    }
    if not used:
        return {}
    bound: dict[str, list[ast.expr | None]] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                for n in walk(target):
                    if isinstance(n, ast.Name) and n.id in used:
                        value = stmt.value if target is n else None
                        bound.setdefault(n.id, []).append(value)
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            if stmt.target.id in used:
                bound.setdefault(stmt.target.id, []).append(stmt.value)
        elif isinstance(stmt, (*_DEFS, ast.ClassDef, ast.Import, ast.ImportFrom)):
            names = (
                [stmt.name]
                if isinstance(stmt, (*_DEFS, ast.ClassDef))
                else [(a.asname or a.name).split(".")[0] for a in stmt.names]
            )
            for name in names:
                if name in used:
                    bound.setdefault(name, []).append(None)
        elif not isinstance(stmt, ast.Expr):
            # Bound under an `if` or a `try`: the same name may hold something else.
            for n in walk(stmt):
                if isinstance(n, ast.Name) and n.id in used and not isinstance(n.ctx, ast.Load):
                    bound.setdefault(n.id, []).append(None)
    out: dict[str, str] = {}
    for name, values in bound.items():
        value = values[0] if len(values) == 1 else None
        if isinstance(value, ast.Call) and isinstance(value.func, (ast.Name, ast.Attribute)):
            qual = qualify(value.func)
            if qual is not None:
                out[name] = qual
    return out


def object_functions(
    defs: dict[str, ast.FunctionDef | ast.AsyncFunctionDef], text: str, shadowed: set[str]
) -> tuple[str, ...]:
    """The module's functions (undecorated) every `return` of which, outside `if
    TYPE_CHECKING:` blocks, returns the builtin class `object` (and that return at all)."""
    if "object" in shadowed or "return object" not in text:
        return ()
    out = []
    for name, node in defs.items():
        if node.decorator_list or isinstance(node, ast.AsyncFunctionDef):
            continue
        returns = list(_run_time_returns(node.body))
        if returns and all(isinstance(v, ast.Name) and v.id == "object" for v in returns):
            out.append(name)
    return tuple(sorted(out))


def _run_time_returns(body: list[ast.stmt]) -> Iterator[ast.expr | None]:
    for stmt in body:
        if isinstance(stmt, ast.Return):
            yield stmt.value
        elif isinstance(stmt, (*_DEFS, ast.ClassDef)):
            continue
        elif isinstance(stmt, ast.If) and _type_checking(stmt.test):
            yield from _run_time_returns(stmt.orelse)
        else:
            for field in ("body", "orelse", "finalbody"):
                yield from _run_time_returns(getattr(stmt, field, None) or [])
            for handler in getattr(stmt, "handlers", None) or []:
                yield from _run_time_returns(handler.body)
            for case in getattr(stmt, "cases", None) or []:
                yield from _run_time_returns(case.body)


def _type_checking(test: ast.expr) -> bool:
    """`TYPE_CHECKING` or `typing.TYPE_CHECKING`: False at run time."""
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
