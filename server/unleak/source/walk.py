"""`ast.walk` and `ast.iter_child_nodes` without their nested generators.

The engine walks syntax trees all the time; the standard functions go through three
generators per node (`walk`, `iter_child_nodes`, `iter_fields`). These give the same nodes in
the same order (breadth first for `walk`) in one loop, about twice as fast.
"""

from __future__ import annotations

import ast

_AST = ast.AST


def walk(node: ast.AST) -> list[ast.AST]:
    """``list(ast.walk(node))``: the node and everything under it, breadth first."""
    todo = [node]
    append = todo.append
    for current in todo:  # the list grows while it is read: a queue that is never popped
        for name in current._fields:
            value = getattr(current, name, None)
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, _AST):
                        append(item)
            elif isinstance(value, _AST):
                append(value)
    return todo


def children(node: ast.AST) -> list[ast.AST]:
    """``list(ast.iter_child_nodes(node))``."""
    out: list[ast.AST] = []
    for name in node._fields:
        value = getattr(node, name, None)
        if isinstance(value, list):
            out.extend(item for item in value if isinstance(item, _AST))
        elif isinstance(value, _AST):
            out.append(value)
    return out


# Fields that never hold a node that has a line: identifiers, flags, and expression contexts
# (`Load()` has no position); a `Constant`'s value is a Python constant.
_NO_LINES = frozenset(
    {"ctx", "id", "attr", "arg", "kind", "type_comment", "conversion", "is_async", "simple"}
    | {"level", "module", "tag"}
)
# Per node class: whether it has a `lineno` and an `end_lineno` (the `arguments` and
# `withitem` nodes have neither), and the fields that may hold nodes with lines.
_LINE_ATTRS: dict[type, tuple[bool, bool, tuple[str, ...]]] = {}


def _line_attrs(kind: type) -> tuple[bool, bool, tuple[str, ...]]:
    names = kind._attributes  # type: ignore[attr-defined]
    skip = _NO_LINES | {"value"} if kind is ast.Constant else _NO_LINES
    fields = tuple(f for f in kind._fields if f not in skip)  # type: ignore[attr-defined]
    found = _LINE_ATTRS[kind] = ("lineno" in names, "end_lineno" in names, fields)
    return found


def increment_lineno(node: ast.AST, delta: int) -> None:
    """``ast.increment_lineno(node, delta)``, walking the tree in one loop and only the
    fields that may hold positions (a fixed text moves every statement below an import it
    adds: the standard function took most of the time spent reparsing it)."""
    if not delta:
        return
    attrs = _LINE_ATTRS
    todo = [node]
    append = todo.append
    for current in todo:
        kind = type(current)
        found = attrs.get(kind) or _line_attrs(kind)
        if found[0]:
            current.lineno = getattr(current, "lineno", 0) + delta  # type: ignore[attr-defined]
            if found[1]:
                end = getattr(current, "end_lineno", 0)
                if end is not None:
                    current.end_lineno = end + delta  # type: ignore[attr-defined]
        for name in found[2]:
            value = getattr(current, name, None)
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, _AST):
                        append(item)
            elif isinstance(value, _AST):
                append(value)
