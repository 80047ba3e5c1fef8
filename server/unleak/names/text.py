"""Short source text for expressions, as messages and keys use it."""

from __future__ import annotations

import ast


def expr_text(node: ast.expr) -> str:
    parts: list[str] = []
    cur: ast.expr = node
    while isinstance(cur, ast.Attribute):
        parts.append(cur.attr)
        cur = cur.value
    if isinstance(cur, ast.Name):
        parts.append(cur.id)
        return ".".join(reversed(parts))
    try:
        return ast.unparse(node)
    except Exception:  # pragma: no cover - unparse is total on parsed trees
        return "<expr>"


def callee_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        base = func.value
        if isinstance(base, (ast.Name, ast.Attribute)):
            return f"{expr_text(base)}.{func.attr}()"
        return f"{func.attr}()"
    if isinstance(func, ast.Name):
        return f"{func.id}()"
    return "call"
