"""Functions that release what they return when a flag parameter says so.

`def probe_tcp(msg, close=True): ... finally: if close and conn is not None: conn.close();
return conn` returns an open socket only when the caller passes a false `close`: with the
default, or `close=True`, the caller gets a closed one and has nothing to release (pyroute2's
`proxy_newprobe` calling `probe_tcp(msg)` was reported as never closing it).

The summary records the parameter (`FunctionSummary.released_if`); a call's result is a
resource unless the call passes a true constant for it, or leaves out one whose default is.
"""

from __future__ import annotations

import ast

# The flag parameter: its name, its position among the positional parameters after `self`
# (-1: keyword-only), and whether its default is true.
ReleasedIf = tuple[str, int, bool]


def released_if(
    node: ast.FunctionDef | ast.AsyncFunctionDef,
    name: str,
    release: frozenset[str],
    params: list[str],
    kwonly: list[str],
) -> ReleasedIf | None:
    """The flag parameter under whose truth a statement the function always runs (one of
    its top level, or of the `finally` of a top-level `try`) releases ``name``: `if close:
    name.close()`, `if close and name is not None: name.close()`; None if there is none."""
    for stmt in _always_run(node.body):
        if not isinstance(stmt, ast.If) or stmt.orelse:
            continue
        flag = _flag(stmt.test, params, kwonly)
        if flag is None or not any(_releases(s, name, release) for s in stmt.body):
            continue
        return flag, _position(flag, params), _default_true(node, flag)
    return None


def released_by_call(call: ast.Call, flag: ReleasedIf) -> bool:
    """Whether ``call`` makes the function release what it returns: it passes a true
    constant for the flag, or leaves it out and its default is true."""
    name, position, default = flag
    value: ast.expr | None = next((k.value for k in call.keywords if k.arg == name), None)
    if value is None and 0 <= position < len(call.args):
        value = call.args[position]
        if any(isinstance(a, ast.Starred) for a in call.args[: position + 1]):
            return False  # `f(*args)`: which argument is the flag is not known
    if value is None:
        if any(k.arg is None for k in call.keywords):
            return False  # `f(**options)` may pass it
        return default
    return isinstance(value, ast.Constant) and bool(value.value)


def _always_run(body: list[ast.stmt]) -> list[ast.stmt]:
    out: list[ast.stmt] = []
    for stmt in body:
        out.append(stmt)
        if isinstance(stmt, ast.Try):
            out.extend(stmt.finalbody)
    return out


def _flag(test: ast.expr, params: list[str], kwonly: list[str]) -> str | None:
    """`close` or `close and ...`: a parameter's truth is part of the condition."""
    operands = (
        test.values if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And) else [test]
    )
    for op in operands:
        if isinstance(op, ast.Name) and (op.id in params or op.id in kwonly):
            return op.id
    return None


def _releases(stmt: ast.stmt, name: str, release: frozenset[str]) -> bool:
    if not isinstance(stmt, ast.Expr) or not isinstance(stmt.value, ast.Call):
        return False
    func = stmt.value.func
    return (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.value.id == name
        and func.attr in release
    )


def _position(flag: str, params: list[str]) -> int:
    return params.index(flag) if flag in params else -1


def _default_true(node: ast.FunctionDef | ast.AsyncFunctionDef, flag: str) -> bool:
    args = node.args
    positional = [*args.posonlyargs, *args.args]
    defaults: list[tuple[ast.arg, ast.expr | None]] = list(
        zip(positional[len(positional) - len(args.defaults) :], args.defaults, strict=True)
    )
    defaults += list(zip(args.kwonlyargs, args.kw_defaults, strict=True))
    for arg, default in defaults:
        if arg.arg == flag:
            return isinstance(default, ast.Constant) and bool(default.value)
    return False  # a required flag: the caller decides
