"""Classes that take over an argument of their constructor: `__init__` keeps it on `self`
and a method such as `close()` releases it (pexpect's `fdspawn(fd)` keeps the descriptor
and `close()` calls `os.close` on it; `SocketSpawn(sock)` closes the socket).

An instance is then the argument in new clothes: releasing the instance releases it, and
losing both loses it. What the class does with what it keeps says which arguments it can
take over: a class that releases a kept value with `os.close` takes over a descriptor, not
a file object; one that first replaces an object by its descriptor (`fd = fd.fileno()`)
keeps only the descriptor, so the object stays the caller's (borrowed).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Container
from dataclasses import dataclass
from typing import TYPE_CHECKING

from unleak.source.walk import children, walk

if TYPE_CHECKING:
    from unleak.catalogue import ResourceType
    from unleak.summaries.functions import FunctionSummary, ModuleSummaries
    from unleak.summaries.types import TypeScope

Method = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass(frozen=True)
class Wrapper:
    params: tuple[str, ...]  # the constructor's positional parameters (after `self`)
    kwonly: tuple[str, ...]
    # Per parameter it keeps: how it releases what it keeps ("close", "os.close", ...).
    owned: tuple[tuple[str, tuple[str, ...]], ...]
    release: tuple[str, ...]  # its methods that release what it keeps
    # Parameters replaced by their descriptor (`fd = fd.fileno()`) before anything keeps
    # them: a file object given there is only borrowed.
    converted: tuple[str, ...] = ()


def wrapper_summary(summaries: ModuleSummaries, name: str) -> Wrapper | None:
    """The summary of this module's class ``name`` if it takes over a constructor argument
    (None otherwise)."""
    node = summaries.class_defs.get(name)
    if node is None or f"class:{name}" in summaries.catalogue.types:
        return None  # unknown, or a resource of its own (it acquires)
    methods = {
        m.name: m for m in node.body if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))
    }
    init = methods.get("__init__")
    if init is None or "__del__" in methods:
        return None  # a finaliser releases what an instance keeps when it is dropped
    args = init.args
    positional = [a.arg for a in [*args.posonlyargs, *args.args]]
    if not positional:
        return None
    me, params = positional[0], tuple(positional[1:])
    kwonly = tuple(a.arg for a in args.kwonlyargs)
    stored = _stored(init, me, {*params, *kwonly})
    if not stored:
        return None
    release_methods = summaries.catalogue.release_methods()
    release_functions = summaries.catalogue.release_functions
    how: dict[str, set[str]] = {}  # attribute -> how it is released
    releasing: set[str] = set()
    for mname, method in methods.items():
        if mname == "__init__":
            continue
        self_name = _first_param(method)
        if self_name is None:
            continue
        for sub in walk(method):
            if not isinstance(sub, ast.Call):
                continue
            func = sub.func
            if (
                isinstance(func, ast.Attribute)
                and func.attr in release_methods
                and (attr := _self_attr(func.value, self_name)) in stored
            ):
                how.setdefault(attr, set()).add(func.attr)
            elif (qual := summaries.resolver.qualify(func)) in release_functions:
                kept = [a for arg in sub.args if (a := _self_attr(arg, self_name)) in stored]
                if not kept:
                    continue
                for attr in kept:
                    how.setdefault(attr, set()).add(qual or "")
            else:
                continue
            if not mname.startswith("__"):
                releasing.add(mname)
    if not releasing:
        return None
    owned: dict[str, set[str]] = {}
    for attr, kinds in how.items():
        for param in stored[attr]:
            owned.setdefault(param, set()).update(kinds)
    if not owned:
        return None
    return Wrapper(
        params,
        kwonly,
        tuple((p, tuple(sorted(k))) for p, k in sorted(owned.items())),
        tuple(sorted(releasing)),
        tuple(sorted(p for p in owned if _converted(init, p))),
    )


def takes_over(rtype: ResourceType, kinds: tuple[str, ...] | frozenset[str]) -> bool:
    """Whether a class releasing what it keeps in one of these ways releases a resource of
    ``rtype`` (a descriptor by `os.close`, a file by `close()`)."""
    return any(k in rtype.release or k in rtype.release_functions for k in kinds)


def _stored(init: Method, me: str, params: set[str]) -> dict[str, set[str]]:
    """Attribute of `self` -> the parameters `__init__` assigns to it as they are."""
    out: dict[str, set[str]] = {}
    for sub in walk(init):
        if isinstance(sub, ast.Assign) and isinstance(sub.value, ast.Name):
            if sub.value.id not in params:
                continue
            for target in sub.targets:
                attr = _self_attr(target, me)
                if attr is not None:
                    out.setdefault(attr, set()).add(sub.value.id)
    return out


def _converted(init: Method, param: str) -> bool:
    """`param = param.fileno()` in `__init__`, with `param` used before only to look at it
    (`hasattr(param, "fileno")`, `type(param)`, a comparison): an object given there is
    replaced by its descriptor, the object itself is kept by nobody."""
    converts = [
        sub
        for sub in walk(init)
        if isinstance(sub, ast.Assign)
        and len(sub.targets) == 1
        and isinstance(sub.targets[0], ast.Name)
        and sub.targets[0].id == param
        and isinstance(sub.value, ast.Call)
        and isinstance(sub.value.func, ast.Attribute)
        and sub.value.func.attr == "fileno"
        and isinstance(sub.value.func.value, ast.Name)
        and sub.value.func.value.id == param
    ]
    if len(converts) != 1:
        return False
    convert = converts[0]
    fileno = convert.value.func if isinstance(convert.value, ast.Call) else None
    for parent in walk(init):
        for child in children(parent):
            if not (isinstance(child, ast.Name) and child.id == param):
                continue
            if child.lineno > convert.lineno or child is convert.targets[0]:
                continue
            if parent is fileno:
                continue
            if isinstance(parent, ast.Compare) or (
                isinstance(parent, ast.Call)
                and isinstance(parent.func, ast.Name)
                and parent.func.id in ("hasattr", "isinstance", "type", "callable")
            ):
                continue
            return False  # used otherwise before: it may be kept
    return True


def _first_param(method: Method) -> str | None:
    args = method.args.posonlyargs + method.args.args
    return args[0].arg if args else None


def _self_attr(node: ast.AST, me: str) -> str | None:
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == me:
        return node.attr
    return None


def owned_arguments(
    call: ast.Call, owns: Container[str], params: list[str]
) -> list[tuple[str, ast.expr]]:
    """The arguments of ``call`` given for parameters a wrapper takes over (positions after a
    `*args` are unknown: left out)."""
    out: list[tuple[str, ast.expr]] = []
    for i, arg in enumerate(call.args):
        if isinstance(arg, ast.Starred):
            break
        if i < len(params) and params[i] in owns:
            out.append((params[i], arg))
    out.extend((k.arg, k.value) for k in call.keywords if k.arg is not None and k.arg in owns)
    return out


def adopting_methods(call: ast.Call, scope: TypeScope) -> frozenset[str]:
    """For `Wrapper(res)` of another module's class that takes over the resource ``res``
    (by its known type): the instance's methods that release it (empty otherwise)."""
    from unleak.summaries.types import expr_type

    summary = _callee(call, scope)
    if summary is None or not summary.owns:
        return frozenset()
    for param, node in owned_arguments(call, summary.owns, summary.params):
        rtype = scope.catalogue.types.get(expr_type(node, scope) or "")
        if rtype is not None and takes_over(rtype, summary.owns[param]):
            return summary.owner_release
    return frozenset()


def _callee(call: ast.Call, scope: TypeScope) -> FunctionSummary | None:
    """The summary of what ``call`` calls: another module's callable, a function of this
    module or a method of this class on `self`."""
    func = call.func
    if isinstance(func, ast.Name) and func.id in scope.summaries.defs:
        local: FunctionSummary | None = scope.summaries.functions.get(func.id)
        return local
    if (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.value.id == "self"
        and scope.class_name is not None
    ):
        cls = scope.summaries.classes.get(scope.class_name)
        return cls.methods.get(func.attr) if cls is not None else None
    qual = scope.resolver.qualify(func) if isinstance(func, (ast.Name, ast.Attribute)) else None
    return scope.summaries.external.get(qual) if qual is not None else None



_PIPES = frozenset({"stdin", "stdout", "stderr"})


def pipes_taken_over(func: ast.AST, wrapper_of: Callable[[str], Wrapper | None]) -> bool:
    """Whether ``func`` gives a process's pipe (`proc.stdout`) to the constructor of a class
    of this module (``wrapper_of``: its summary, by name) that takes it over and closes it
    (datadog's `OutputReader(proc.stdout)`, a thread that reads the pipe to its end and
    closes it): the pipes are closed by hand, as with `proc.stdout.close()`."""
    for sub in walk(func):
        if not (isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name)):
            continue
        given = [*sub.args, *(k.value for k in sub.keywords)]
        if not any(isinstance(a, ast.Attribute) and a.attr in _PIPES for a in given):
            continue
        wrapper = wrapper_of(sub.func.id)
        if wrapper is None:
            continue
        closing = {p for p, kinds in wrapper.owned if "close" in kinds}
        for _, arg in owned_arguments(sub, closing, list(wrapper.params)):
            if isinstance(arg, ast.Attribute) and arg.attr in _PIPES:
                return True
    return False
