"""Short source text for expressions, as messages and keys use it."""

from __future__ import annotations

import ast

from unleak.source.walk import children

# Deeper than this, an expression is not unparsed (ast.unparse recurses once per level, and a
# long `1 + 1 + …` or attribute chain is valid Python): its text is elided instead.
MAX_TEXT_DEPTH = 100


def expr_text(node: ast.expr) -> str:
    parts: list[str] = []
    cur: ast.expr = node
    while isinstance(cur, ast.Attribute):
        parts.append(cur.attr)
        cur = cur.value
    if isinstance(cur, ast.Name):
        return ".".join([cur.id, *reversed(parts)])
    if deeper_than(node, MAX_TEXT_DEPTH):
        return _elided(node)
    try:
        return ast.unparse(node)
    except Exception:  # pragma: no cover - unparse is total on parsed trees
        return "<expr>"


def deeper_than(node: ast.AST, limit: int) -> bool:
    """Whether the tree under ``node`` nests more than ``limit`` levels (walked with a stack,
    stopping at the first branch that does)."""
    stack = [(node, 1)]
    while stack:
        cur, depth = stack.pop()
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children(cur))
    return False


def _elided(node: ast.expr) -> str:
    """`head …` for a deeply nested expression: its leftmost operand (followed down the first
    child, iteratively) and an ellipsis."""
    head: ast.AST = node
    while True:
        kids = children(head)
        child = kids[0] if kids else None
        if child is None or not deeper_than(head, 3):
            break
        head = child
    try:
        text = ast.unparse(head) if isinstance(head, ast.expr) else ""
    except Exception:  # pragma: no cover - unparse is total on parsed trees
        text = ""
    return f"{text} …" if text else "…"


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
