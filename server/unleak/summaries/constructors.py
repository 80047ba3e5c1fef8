"""What creating an instance of a plain class does to its arguments.

A class that is not a resource itself hands nothing to whoever creates it, so what its
`__init__` does decides: an argument it only reads is borrowed, and so is one it keeps on
`self` when no method of the class ever releases or hands on that attribute (bottle's
`FileUpload(open(path, "rb"), ...)` keeps the file as `self.file`, reads it and never closes
it: the caller still must). Anything else it does with an argument hands it on.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from unleak.summaries.functions import FunctionSummary

if TYPE_CHECKING:
    from unleak.summaries.functions import ModuleSummaries

# Bases that add no code able to release an attribute.
_PLAIN_BASES = frozenset({"object"})
# Calls that only look at their argument.
_INSPECTING = frozenset({"isinstance", "hasattr", "getattr", "callable", "type", "id", "len"})
Method = ast.FunctionDef | ast.AsyncFunctionDef


def constructor_summary(summaries: ModuleSummaries, name: str) -> FunctionSummary | None:
    """The summary of `name(...)` for a plain class of this module (None: unknown, every
    argument is handed on)."""
    node = summaries.class_defs.get(name)
    if node is None or node.decorator_list or node.keywords:
        return None  # a decorator or metaclass may change what an instance keeps
    if any(not (isinstance(b, ast.Name) and b.id in _PLAIN_BASES) for b in node.bases):
        return None  # a base class may release what `__init__` stores
    methods = [m for m in node.body if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))]
    init = next((m for m in methods if m.name == "__init__"), None)
    cls = summaries.classes.get(name)
    method = cls.methods.get("__init__") if cls is not None and init is not None else None
    if init is None or method is None or _self_name(init) is None:
        return None
    effects = dict(method.effects)
    release_names = summaries.catalogue.release_methods()
    captured = _captured(init)
    kept: dict[str, bool] = {}
    for param in [*method.params, *method.kwonly]:
        effect = effects.get(param, "borrow")
        if param in captured:
            # A nested function or lambda keeps it (maybe to release it later).
            effects[param] = "escape"
            continue
        if effect != "escape":
            continue
        attrs = _stored_only(init, param, release_names)
        if attrs is None:
            continue
        for attr in attrs - kept.keys():
            kept[attr] = _only_used(node, attr, release_names)
        if all(kept[a] for a in attrs):
            effects[param] = "borrow"
    summary = FunctionSummary(name, list(method.params), list(method.kwonly), _effects=effects)
    summary.cannot_raise = all(_stores_only(stmt, _self_name(init)) for stmt in init.body)
    return summary


def _stores_only(stmt: ast.stmt, me: str | None) -> bool:
    """`self.x = name`, `self.n = 0`, a docstring or `pass`: nothing that can raise."""
    if isinstance(stmt, ast.Pass) or (
        isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
    ):
        return True
    if isinstance(stmt, ast.Assign):
        targets, value = stmt.targets, stmt.value
    elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
        targets, value = [stmt.target], stmt.value
    else:
        return False
    return all(_self_attr(t, me) for t in targets) and isinstance(
        value, (ast.Name, ast.Constant)
    )


def _captured(init: Method) -> set[str]:
    names: set[str] = set()
    for sub in ast.walk(init):
        if sub is not init and isinstance(
            sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
        ):
            names.update(n.id for n in ast.walk(sub) if isinstance(n, ast.Name))
    return names


def _self_name(method: Method) -> str | None:
    args = method.args.posonlyargs + method.args.args
    return args[0].arg if args else None


def _stored_only(init: Method, param: str, release_names: frozenset[str]) -> set[str] | None:
    """The attributes of `self` that `__init__` stores `param` in, if it does nothing else
    with it than storing it there, calling its methods (not a release) and inspecting it."""
    me = _self_name(init)
    attrs: set[str] = set()
    for node, parent in _uses_of(init, param):
        if not isinstance(node.ctx, ast.Load):
            return None  # rebound: what ends up stored is something else
        if isinstance(parent, ast.Assign) and parent.value is node:
            for target in parent.targets:
                if not _self_attr(target, me):
                    return None
                assert isinstance(target, ast.Attribute)
                attrs.add(target.attr)
        elif isinstance(parent, ast.Attribute):
            if parent.attr in release_names:
                return None
        elif isinstance(parent, ast.Compare) or (
            isinstance(parent, ast.Call)
            and isinstance(parent.func, ast.Name)
            and parent.func.id in _INSPECTING
        ):
            continue
        else:
            return None
    return attrs


def _uses_of(root: ast.AST, name: str) -> list[tuple[ast.Name, ast.AST]]:
    """The `Name` nodes of ``name`` under ``root``, each with its parent (in the order of
    `ast.walk`: breadth first)."""
    out: list[tuple[ast.Name, ast.AST]] = []
    for node in ast.walk(root):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Name) and child.id == name:
                out.append((child, node))
    return out


def _only_used(node: ast.ClassDef, attr: str, release_names: frozenset[str]) -> bool:
    """Whether the class only reads through `<obj>.<attr>` (calls its methods other than a
    release, reads its attributes) or stores into it: nothing releases it or hands it on."""
    # The attribute read from each node that is an attribute's object (its only parent).
    read_from: dict[int, str] = {}
    loads: list[ast.Attribute] = []
    for sub in ast.walk(node):
        if isinstance(sub, ast.Attribute):
            if sub.attr == "__dict__":
                return False
            read_from[id(sub.value)] = sub.attr
            if sub.attr == attr and isinstance(sub.ctx, ast.Load):
                loads.append(sub)
        elif (
            isinstance(sub, ast.Call)
            and isinstance(sub.func, ast.Name)
            and sub.func.id in ("getattr", "vars")
        ):
            return False  # reaches attributes by name
    for sub in loads:
        outer = read_from.get(id(sub))
        if outer is None or outer in release_names:
            return False
    return True


def _self_attr(node: ast.AST, me: str | None) -> bool:
    return (
        isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == me
    )
