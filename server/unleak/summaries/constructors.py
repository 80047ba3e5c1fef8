"""What creating an instance of a plain class does to its arguments.

A class that is not a resource itself hands nothing to whoever creates it, so what its
`__init__` does decides: an argument it only reads is borrowed, and so is one it keeps on
`self` when no method of the class ever releases or hands on that attribute (bottle's
`FileUpload(open(path, "rb"), ...)` keeps the file as `self.file`, reads it and never closes
it: the caller still must). Anything else it does with an argument hands it on.
"""

from __future__ import annotations

import ast
from collections.abc import Collection
from typing import TYPE_CHECKING

from unleak.source.facts import fact, memo
from unleak.source.walk import children, walk
from unleak.summaries.functions import FunctionSummary

if TYPE_CHECKING:
    from unleak.source.facts import StatementFacts
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
    # What the walks below find is kept with the trees (by the release methods known).
    facts = summaries.facts
    captured = fact(facts, init, "captured names", _captured)
    handed: set[str] | None = None
    releasing: dict[str, set[str]] = {}
    released_via: dict[str, frozenset[str]] = {}
    stores: dict[str, set[str] | None] | None = None
    for param in [*method.params, *method.kwonly]:
        effect = effects.get(param, "borrow")
        if param in captured:
            # A nested function or lambda keeps it (maybe to release it later).
            effects[param] = "escape"
            continue
        if effect != "escape":
            continue
        if stores is None:
            stores = _stored_in(summaries, init, method, release_names)
        attrs = stores.get(param, set())
        if attrs is None:
            continue
        if handed is None:
            handed, releasing, parts = _class_handed(facts, node, release_names)
        if "*" not in handed and not attrs & handed:
            via = frozenset(m for a in attrs for m in releasing.get(a, ()))
            if not via:
                effects[param] = "borrow"
            elif not attrs & parts:
                # Only release-named methods called on it (not on its parts, as a process's
                # pipes closed before `wait()`): the caller decides by its type.
                released_via[param] = via
    summary = FunctionSummary(name, list(method.params), list(method.kwonly), _effects=effects)
    summary.released_via = released_via
    summary.cannot_raise = all(_stores_only(stmt, _self_name(init)) for stmt in init.body)
    return summary


def _stored_in(
    summaries: ModuleSummaries,
    init: Method,
    method: FunctionSummary,
    release_names: frozenset[str],
) -> dict[str, set[str] | None]:
    """`_stored_only` for `__init__`'s parameters, kept while its tree is (by the release
    methods known)."""
    params = frozenset(method.params) | frozenset(method.kwonly)
    return memo(
        summaries.facts,
        init,
        "stored only",
        (params, release_names),
        lambda n: _stored_only(n, set(params), release_names),  # type: ignore[arg-type]
    )


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
    return all(_self_attr(t, me) for t in targets) and isinstance(value, (ast.Name, ast.Constant))


def stored_parameters(node: ast.ClassDef) -> set[str]:
    """The attributes `__init__` assigns one of its parameters to as is (a cheap test before
    a constructor's summary is worth computing for the index)."""
    init = next(
        (
            m
            for m in node.body
            if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef)) and m.name == "__init__"
        ),
        None,
    )
    if init is None:
        return set()
    args = init.args
    params = {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}
    return {
        t.attr
        for n in walk(init)
        if isinstance(n, ast.Assign) and isinstance(n.value, ast.Name) and n.value.id in params
        for t in n.targets
        if isinstance(t, ast.Attribute)
    }


def _captured(init: ast.AST) -> set[str]:
    names: set[str] = set()
    for sub in walk(init):
        if sub is not init and isinstance(
            sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
        ):
            names.update(n.id for n in walk(sub) if isinstance(n, ast.Name))
    return names


def _self_name(method: Method) -> str | None:
    args = method.args.posonlyargs + method.args.args
    return args[0].arg if args else None


def _stored_only(
    init: Method, params: set[str], release_names: frozenset[str]
) -> dict[str, set[str] | None]:
    """Per parameter, the attributes of `self` that `__init__` stores it in, if it does
    nothing else with it than storing it there, calling its methods (not a release) and
    inspecting it (else None). One walk for all parameters."""
    me = _self_name(init)
    out: dict[str, set[str] | None] = {}
    for parent in walk(init):
        for node in children(parent):
            if not (isinstance(node, ast.Name) and node.id in params):
                continue
            name = node.id
            attrs = out.setdefault(name, set())
            if attrs is None:
                continue
            if not isinstance(node.ctx, ast.Load):
                out[name] = None  # rebound: what ends up stored is something else
            elif isinstance(parent, ast.Assign) and parent.value is node:
                for target in parent.targets:
                    if not _self_attr(target, me):
                        out[name] = None
                        break
                    assert isinstance(target, ast.Attribute)
                    attrs.add(target.attr)
            elif isinstance(parent, ast.Attribute):
                if parent.attr in release_names:
                    out[name] = None
            elif not (
                isinstance(parent, ast.Compare)
                or (
                    isinstance(parent, ast.Call)
                    and isinstance(parent.func, ast.Name)
                    and parent.func.id in _INSPECTING
                )
            ):
                out[name] = None
    return out


_Handed = tuple[set[str], dict[str, set[str]], set[str]]


def _class_handed(
    facts: StatementFacts | None, node: ast.ClassDef, release_names: frozenset[str]
) -> _Handed:
    """`_handed_attrs` of a class, a fold of its members' (each kept while its tree is, by
    the release methods known: an edit in a long class walks the members it changed) and its
    header's (a member, a statement, is never the attribute the walk looks for)."""
    header = ast.ClassDef(
        name=node.name,
        bases=node.bases,
        keywords=node.keywords,
        body=[],
        decorator_list=node.decorator_list,
    )
    out, releasing, parts = _handed_attrs(header, release_names)
    for member in node.body:
        more, more_releasing, more_parts = memo(
            facts,
            member,
            "handed attributes",
            release_names,
            lambda n: _handed_attrs(n, release_names),
        )
        out |= more
        for attr, methods in more_releasing.items():
            releasing.setdefault(attr, set()).update(methods)
        parts |= more_parts
    return out, releasing, parts


def init_reads(init: Method) -> tuple[object, ...]:
    """What `constructor_summary` reads of `__init__` itself besides its summary: its
    parameters, those it keeps as they are and those its nested functions capture, and
    whether it only stores."""
    shell = ast.ClassDef(name="", bases=[], keywords=[], body=[init], decorator_list=[])
    me = _self_name(init)
    args = init.args
    params = [a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]]
    captured = _captured(init)
    return (
        tuple(params),
        receivers(init, stored_parameters(shell)),
        tuple(sorted(stored_parameters(shell))),
        tuple(p for p in params if p in captured),
        all(_stores_only(stmt, me) for stmt in init.body),
    )


def constructor_reads(
    member: ast.AST, stored: frozenset[str], release_names: frozenset[str]
) -> tuple[object, ...]:
    """What `constructor_summary` reads of one member of a class whose `__init__` keeps its
    parameters in the attributes ``stored``: how the member uses them (`_handed_attrs`)."""
    out, releasing, parts = _handed_attrs(member, release_names)
    return (
        receivers(member, stored),
        tuple(sorted(a for a in out if a in stored or a == "*")),
        tuple(sorted((a, tuple(sorted(m))) for a, m in releasing.items() if a in stored)),
        tuple(sorted(parts & stored)),
    )


def receivers(member: ast.AST, attrs: Collection[str]) -> tuple[object, ...]:
    """The member's first parameter, and the ``attrs`` it reaches through another name
    (`selfx._out`): the walks above read the attributes whatever the receiver; the summaries
    built from them read `self`'s alone."""
    first = (
        _self_name(member) if isinstance(member, (ast.FunctionDef, ast.AsyncFunctionDef)) else None
    )
    reached = {
        (n.value.id, n.attr)
        for n in walk(member)
        if isinstance(n, ast.Attribute)
        and isinstance(n.value, ast.Name)
        and n.value.id != first
        and n.attr in attrs
    }
    return (first, tuple(sorted(reached)))


def _handed_attrs(node: ast.AST, release_names: frozenset[str]) -> _Handed:
    """The attribute names the class uses other than by reading through them (calling a
    method, reading an attribute): handed on somewhere ("*": it reaches attributes by name);
    per attribute, the release-named methods called (or taken) through it; and the
    attributes through whose members one is (`self.proc.stdin.close()`)."""
    out: set[str] = set()
    releasing: dict[str, set[str]] = {}
    parts: set[str] = set()
    for parent in walk(node):
        if (
            isinstance(parent, ast.Call)
            and isinstance(parent.func, ast.Name)
            and parent.func.id in ("getattr", "vars")
        ):
            out.add("*")
        for sub in children(parent):
            if not isinstance(sub, ast.Attribute):
                continue
            if sub.attr == "__dict__":
                out.add("*")
            if not isinstance(sub.ctx, ast.Load):
                continue
            if not isinstance(parent, ast.Attribute):
                out.add(sub.attr)
            elif parent.attr in release_names:
                releasing.setdefault(sub.attr, set()).add(parent.attr)
                inner = sub.value
                while isinstance(inner, ast.Attribute):
                    parts.add(inner.attr)
                    inner = inner.value
    return out, releasing, parts


def _self_attr(node: ast.AST, me: str | None) -> bool:
    return (
        isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == me
    )
