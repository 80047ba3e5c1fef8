"""Local containers: lists, dicts, sets and deques a function creates for itself.

A resource put into one is owned by it (the ownership analysis treats the container's name
as another reference): the container dying with the resource still open is a leak, and
returning, storing or handing on the container hands the resource on with it.
"""

from __future__ import annotations

import ast

from unleak.names.resolver import NameResolver, iter_statements
from unleak.source.walk import walk

# Calls that build an empty (or copied) container of the function's own.
_CONSTRUCTORS = frozenset(
    {
        "builtins.list",
        "builtins.dict",
        "builtins.set",
        "collections.deque",
        "collections.OrderedDict",
        "collections.defaultdict",
    }
)
_LITERALS = (ast.List, ast.Dict, ast.Set, ast.ListComp, ast.SetComp, ast.DictComp)
# Methods that put their arguments into the container.
STORING_METHODS = frozenset({"append", "add", "insert", "appendleft", "extend", "setdefault"})


def local_containers(body: list[ast.stmt], resolver: NameResolver) -> set[str]:
    """Names bound, somewhere in ``body``, to a container the function creates itself, and
    never to anything else (a parameter or an outside object stays the caller's)."""
    made: set[str] = set()
    other: set[str] = set()
    for stmt in iter_statements(body, nested=False):
        if isinstance(stmt, ast.Assign):
            targets, value = stmt.targets, stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            targets, value = [stmt.target], stmt.value
        elif isinstance(stmt, (ast.For, ast.AsyncFor, ast.With, ast.AsyncWith)):
            targets = (
                [stmt.target]
                if isinstance(stmt, (ast.For, ast.AsyncFor))
                else [i.optional_vars for i in stmt.items if i.optional_vars is not None]
            )
            other |= {n.id for t in targets for n in walk(t) if isinstance(n, ast.Name)}
            continue
        elif isinstance(stmt, (ast.Global, ast.Nonlocal)):
            other.update(stmt.names)
            continue
        else:
            continue
        for t in targets:
            if isinstance(t, (ast.Attribute, ast.Subscript)):
                continue  # stores into an object: no name is rebound
            if not isinstance(t, ast.Name):
                other |= {n.id for n in walk(t) if isinstance(n, ast.Name)}
            elif _creates(value, resolver):
                made.add(t.id)
            else:
                other.add(t.id)
    return made - other


def _creates(value: ast.expr, resolver: NameResolver) -> bool:
    if isinstance(value, _LITERALS):
        return True
    if isinstance(value, ast.Call) and isinstance(value.func, (ast.Name, ast.Attribute)):
        return resolver.qualify(value.func) in _CONSTRUCTORS
    return False
