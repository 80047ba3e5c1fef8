"""Callables a class keeps on `self`: `self.opener = opener` in `__init__`, where the parameter
defaults to `open` (or `self.opener = open` outright). In the class's methods a call
`self.opener(...)` is then a call of `open`, as it is whenever no caller passes another one
(bottle's `ResourceManager.open` returns `self.opener(fname, ...)`: a file)."""

from __future__ import annotations

import ast
from collections.abc import Callable

from unleak.source.facts import StatementFacts, fact
from unleak.source.walk import walk

_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef)


def class_callables(
    node: ast.ClassDef,
    qualify: Callable[[ast.expr], str | None],
    facts: StatementFacts | None = None,
) -> dict[str, str]:
    """Attribute -> the qualified name of the callable ``self.<attribute>`` holds, for those
    `__init__` alone binds, once, to a plain name (or a parameter defaulting to one); not
    methods, class attributes, or attributes bound anywhere else. ``facts``: what each member
    of a top-level class binds, kept while its tree is (an edit walks the members it changed)."""
    methods = [m for m in node.body if isinstance(m, _DEFS)]
    init = next((m for m in methods if m.name == "__init__"), None)
    if init is None:
        return {}
    # Candidates first, from `__init__` alone (most classes keep only parameters without a
    # default, or nothing callable): the rest of the class is walked only for them.
    candidates: dict[str, str] = {}
    for attr, value in fact(facts, init, "callables bound", _bound_once).items():
        qual = qualify(value) if value is not None else None
        if qual is not None:
            candidates[attr] = qual
    if not candidates:
        return {}
    for m in methods:
        candidates.pop(m.name, None)
    for stmt in node.body:
        # A class attribute, which a subclass or an instance may replace.
        for t in _targets(stmt):
            if isinstance(t, ast.Name):
                candidates.pop(t.id, None)
    for method in methods:
        if method is init or not candidates:
            continue
        for attr in fact(facts, method, "self attributes bound", _bound_attrs):
            candidates.pop(attr, None)  # bound again elsewhere
    return candidates


def _bound_once(init: ast.AST) -> dict[str, ast.expr | None]:
    """The attributes `__init__` binds once, each to what names its callable (see
    `_callable_value`; None: not a callable it can tell)."""
    assert isinstance(init, _DEFS)
    values: dict[str, ast.expr | None] = {}
    bound: dict[str, int] = {}
    for sub in walk(init):
        for target in _targets(sub):
            attr = _self_attr(target)
            if attr is None:
                continue
            bound[attr] = bound.get(attr, 0) + 1
            if isinstance(sub, ast.Assign) and isinstance(sub.value, (ast.Name, ast.Attribute)):
                values[attr] = _callable_value(init, sub.value)
    return {a: v for a, v in values.items() if bound[a] == 1}


def _bound_attrs(method: ast.AST) -> set[str]:
    """The attributes of `self` a method binds."""
    return {
        attr
        for sub in walk(method)
        for target in _targets(sub)
        if (attr := _self_attr(target)) is not None
    }


def _callable_value(
    init: ast.FunctionDef | ast.AsyncFunctionDef, value: ast.Name | ast.Attribute
) -> ast.expr | None:
    """What names the callable `self.x = value` in `__init__` binds: a parameter's default
    (or what replaces a None default), else the value itself; None for a parameter the
    caller must give (or one defaulting to anything else)."""
    if isinstance(value, ast.Name) and value.id in _params(init):
        default = parameter_defaults(init).get(value.id)
        if isinstance(default, ast.Constant) and default.value is None:
            default = _none_replaced(init, value.id)
        if not isinstance(default, (ast.Name, ast.Attribute)):
            return None  # whatever the caller passes
        return default
    return value


def _none_replaced(
    init: ast.FunctionDef | ast.AsyncFunctionDef, param: str
) -> ast.Name | ast.Attribute | None:
    """`if stream_factory is None: stream_factory = default_stream_factory` among the first
    statements of `__init__`: the parameter's real default."""
    for stmt in init.body:
        if not isinstance(stmt, ast.If) or stmt.orelse or len(stmt.body) != 1:
            continue
        test, assign = stmt.test, stmt.body[0]
        if (
            isinstance(test, ast.Compare)
            and isinstance(test.left, ast.Name)
            and test.left.id == param
            and len(test.ops) == 1
            and isinstance(test.ops[0], ast.Is)
            and isinstance(test.comparators[0], ast.Constant)
            and test.comparators[0].value is None
            and isinstance(assign, ast.Assign)
            and len(assign.targets) == 1
            and isinstance(assign.targets[0], ast.Name)
            and assign.targets[0].id == param
            and isinstance(assign.value, (ast.Name, ast.Attribute))
        ):
            return assign.value
    return None


def _targets(stmt: ast.AST) -> list[ast.expr]:
    if isinstance(stmt, ast.Assign):
        out: list[ast.expr] = []
        for t in stmt.targets:
            out.extend(t.elts if isinstance(t, (ast.Tuple, ast.List)) else [t])
        return out
    if isinstance(stmt, (ast.AnnAssign, ast.AugAssign)):
        return [stmt.target]
    return []


def _self_attr(target: ast.expr) -> str | None:
    if (
        isinstance(target, ast.Attribute)
        and isinstance(target.value, ast.Name)
        and target.value.id == "self"
    ):
        return target.attr
    return None


def _params(node: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    args = node.args
    return {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)}


def parameter_defaults(node: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, ast.expr]:
    """A function's parameters that have a default, with their default's expression."""
    args = node.args
    positional = [*args.posonlyargs, *args.args]
    with_defaults = positional[len(positional) - len(args.defaults) :]
    out = {a.arg: d for a, d in zip(with_defaults, args.defaults, strict=True)}
    kwonly = zip(args.kwonlyargs, args.kw_defaults, strict=True)
    out.update({a.arg: d for a, d in kwonly if d is not None})
    return out
