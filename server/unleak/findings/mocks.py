"""Acquisitions that are mocks: in a test that patches the factory (`@mock.patch("socket.socket")`,
`with patch.object(subprocess, "Popen")`, `monkeypatch.setattr(socket, "socket", Fake)`),
calling it makes a mock, not a resource."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator

from unleak.source.walk import walk

Qualify = Callable[[ast.expr], "str | None"]

_PATCHERS = frozenset({"patch", "object", "setattr"})


def patched_targets(func: ast.AST, qualify: Qualify) -> frozenset[str]:
    """Qualified names patched by ``func``'s decorators or anywhere in its body."""
    calls: list[ast.Call] = [
        d for d in getattr(func, "decorator_list", []) if isinstance(d, ast.Call)
    ]
    calls += [n for n in _walk_body(func) if isinstance(n, ast.Call)]
    out: set[str] = set()
    for call in calls:
        target = _target(call, qualify)
        if target:
            out.add(target)
    return frozenset(out)


def is_patched(qual: str | None, targets: frozenset[str]) -> bool:
    """`patch("app.net.socket.socket")` patches `socket.socket` as `app.net` sees it."""
    if not qual or not targets:
        return False
    return any(t == qual or t.endswith("." + qual) for t in targets)


def _target(call: ast.Call, qualify: Qualify) -> str | None:
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if name not in _PATCHERS or not call.args:
        return None
    first = call.args[0]
    if name == "patch" or (name == "setattr" and len(call.args) == 2):
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            return first.value  # patch("socket.socket"), monkeypatch.setattr("a.b", v)
        return None
    if len(call.args) >= 2:  # patch.object(socket, "socket"), monkeypatch.setattr(m, "x", v)
        attr = call.args[1]
        owner = qualify(first) if isinstance(first, (ast.Name, ast.Attribute)) else None
        if owner and isinstance(attr, ast.Constant) and isinstance(attr.value, str):
            return f"{owner}.{attr.value}"
    return None


def _walk_body(func: ast.AST) -> Iterator[ast.AST]:
    for stmt in getattr(func, "body", []):
        yield from walk(stmt)
