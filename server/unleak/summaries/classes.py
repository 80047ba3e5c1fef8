"""Resources stored on `self`: which classes release them, and which classes are themselves
resources (they acquire in `__init__` and release in a method such as `close`)."""

from __future__ import annotations

import ast
import re
from collections.abc import Container
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from unleak.catalogue import BORROWERS, ResourceType
from unleak.catalogue.own_release import OWN_RELEASE_METHODS
from unleak.names.resolver import NameResolver, iter_statements
from unleak.names.text import expr_text
from unleak.source.facts import StatementFacts, fact
from unleak.source.text import SourceText
from unleak.source.walk import children, walk
from unleak.summaries.attr_uses import AttrUses
from unleak.summaries.chosen_classes import chosen_class, may_choose
from unleak.summaries.types import TypeScope, call_type

if TYPE_CHECKING:
    from unleak.catalogue import Catalogue
    from unleak.summaries.functions import ModuleSummaries


class ModuleView(Protocol):
    """What the class scan reads of a module's analysis."""

    resolver: NameResolver
    catalogue: Catalogue
    summaries: ModuleSummaries
    source: SourceText

    def triggered(self, node: ast.AST) -> bool: ...


_RELEASING_NAMES = frozenset(
    {
        "close",
        "__exit__",
        "__aexit__",
        "__del__",
        "shutdown",
        "stop",
        "tearDown",
        "cleanup",
        "aclose",
    }
)
# Methods that open what an instance holds: an instance is a resource from its creation on
# (whoever creates it must release it, opened or not).
ACQUIRING = frozenset({"__init__", "connect", "open", "start", "setup", "__post_init__"})
_NEUTRAL_BASES = frozenset({"object", "Generic", "Protocol", "ABC", "typing.Generic", "abc.ABC"})


@dataclass
class ClassResources:
    node: ast.ClassDef
    acquired: dict[str, tuple[ast.Call, str, str]] = field(
        default_factory=dict
    )  # attr -> (call, method, type)
    handled: set[str] = field(default_factory=set)
    releasing_methods: set[str] = field(default_factory=set)
    checkable: bool = True


def class_resources(module: ModuleView) -> dict[str, ClassResources]:
    cache = module.__dict__.get("_class_resources")
    if cache is not None:
        return cache  # type: ignore[no-any-return]
    out: dict[str, ClassResources] = {}
    defs = module.summaries.class_defs
    for name, node in defs.items():
        info = ClassResources(node)
        if not module.triggered(node):
            out[name] = info
            continue
        scope = TypeScope(module.resolver, module.catalogue, module.summaries, class_name=name)
        methods = [m for m in node.body if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))]
        for method in methods:
            if module.triggered(method):
                scan_acquisitions(method, scope, module, info)
        out[name] = info
    # Releases in local base classes and subclasses count; unknown bases might release.
    bases = {name: _bases(info.node) for name, info in out.items()}
    _mark_uncheckable(out, bases)
    related = related_classes(out, bases)
    attrs = stored_attributes(out, related)
    mentions = mentions_pattern(attrs)
    lines = module.source.lines
    for name in related:
        info = out[name]
        # Release-like methods first: once every attribute is handled, the rest cannot
        # change the verdict (unless the class may become a resource type, which needs all
        # of its releasing methods).
        members = sorted(
            (m for m in info.node.body if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))),
            key=lambda m: m.name not in _RELEASING_NAMES,
        )
        needs_all = any(m in ACQUIRING for _, m, _ in info.acquired.values())
        for member in members:
            if not needs_all and attrs <= info.handled:
                break
            # Only methods whose text mentions one of the attributes can release it.
            text = "\n".join(lines[member.lineno - 1 : member.end_lineno or member.lineno])
            if attrs and mentions.search(text):
                scan_handling(member, module, info)
    for name, info in out.items():
        for base in bases[name]:
            if base in out:
                info.handled |= out[base].handled
                # A subclass may release what its base class acquires.
                out[base].handled |= info.handled
    module.__dict__["_class_resources"] = out
    return out


def related_classes(
    out: dict[str, ClassResources], bases: dict[str, list[str]] | None = None
) -> set[str]:
    """The classes whose releases count: those that store a resource on `self` (a class with
    an unknown base is neither checked nor a resource type: no need to scan it), and their
    local base classes and subclasses."""
    if bases is None:
        bases = {name: _bases(info.node) for name, info in out.items()}
    related: set[str] = {name for name, info in out.items() if info.acquired and info.checkable}
    changed = bool(related)
    while changed:
        changed = False
        for name in out:
            if name not in related and (
                any(b in related for b in bases[name]) or any(name in bases[r] for r in related)
            ):
                related.add(name)
                changed = True
    return related


def stored_attributes(out: dict[str, ClassResources], related: set[str]) -> set[str]:
    """The attributes the related classes store a resource in: a member whose text mentions
    none of them (nor reaches attributes by name) is not read for what it releases."""
    return {a for name in related for a in out[name].acquired}


def mentions_pattern(attrs: set[str]) -> re.Pattern[str]:
    """What a member's text must match for the scan to read what it releases: one of the
    attributes stored (``attrs``, of every class that stores a resource), or a way to reach
    any attribute by name."""
    return re.compile(
        # (`self` checked as a whole word behind it: see source.text.whole_word.)
        r"self(?<!\wself)\.(?:" + "|".join(map(re.escape, attrs)) + r")\b|getattr|vars\(|__dict__"
    )


def _mark_uncheckable(out: dict[str, ClassResources], bases: dict[str, list[str]]) -> None:
    """A class whose bases are not all local (or neutral) may be released by code we do not
    see; so may its local subclasses."""
    changed = True
    while changed:
        changed = False
        for name, info in out.items():
            if info.checkable and any(
                (b not in out and b not in _NEUTRAL_BASES) or (b in out and not out[b].checkable)
                for b in bases[name]
            ):
                info.checkable = False
                changed = True


def _bases(node: ast.ClassDef) -> list[str]:
    return [expr_text(b.value if isinstance(b, ast.Subscript) else b) for b in node.bases]


def scan_acquisitions(
    method: ast.FunctionDef | ast.AsyncFunctionDef,
    scope: TypeScope,
    module: ModuleView,
    info: ClassResources,
) -> None:
    local_types: dict[str, str] = {}
    for parent in iter_statements(method.body, nested=False):
        if not isinstance(parent, ast.Assign):
            continue
        value = parent.value.value if isinstance(parent.value, ast.Await) else parent.value
        if isinstance(value, ast.Call):
            # Every target of `self.popen = p = Popen(...)` holds it.
            for target in parent.targets:
                rtype = call_type(value, scope) or _pair_type(value, scope, target)
                if rtype is None or rtype not in module.catalogue.types:
                    continue
                if isinstance(target, ast.Name):
                    local_types[target.id] = rtype
                elif (
                    isinstance(target, ast.Attribute)
                    and _self_attr(target)
                    and target.attr not in info.acquired
                ):
                    info.acquired[target.attr] = (value, method.name, rtype)
        elif len(parent.targets) == 1:
            target = parent.targets[0]
            if (
                isinstance(value, ast.Name)
                and value.id in local_types
                and isinstance(target, ast.Attribute)
                and _self_attr(target)
            ):
                info.acquired.setdefault(
                    target.attr,
                    (_find_call(method, value.id), method.name, local_types[value.id]),
                )


def _pair_type(call: ast.Call, scope: TypeScope, target: ast.expr) -> str | None:
    """`self.pipe = os.pipe()`: a tuple of resources kept whole in one attribute (the type of
    its first element)."""
    if not _self_attr(target):
        return None
    qual = scope.resolver.qualify(call.func)
    factory = scope.catalogue.factories.get(qual) if qual is not None else None
    if factory is None or not factory.elements:
        return None
    return next((e for e in factory.elements if e), None)


def _loop_releases(loop: ast.For | ast.AsyncFor, module: ModuleView) -> bool:
    """`for fd in self.pipe: os.close(fd)`: the loop releases each element."""
    if not isinstance(loop.target, ast.Name):
        return False
    name = loop.target.id
    release_names = module.catalogue.release_methods()
    release_functions = module.catalogue.release_functions
    for n in walk(ast.Module(body=loop.body, type_ignores=[])):
        if not isinstance(n, ast.Call):
            continue
        func = n.func
        if (
            isinstance(func, ast.Attribute)
            and func.attr in release_names
            and isinstance(func.value, ast.Name)
            and func.value.id == name
        ):
            return True
        if module.resolver.qualify(func) in release_functions and any(
            isinstance(a, ast.Name) and a.id == name for a in n.args
        ):
            return True
    return False


def scan_handling(
    method: ast.FunctionDef | ast.AsyncFunctionDef, module: ModuleView, info: ClassResources
) -> None:
    """Add to ``info`` the attributes of `self` ``method`` releases or hands on, and whether
    it releases one. Kept per method tree for the module's analysis: a class's members are
    scanned for its own resources, for the bases another module gives it, and for what it
    keeps of other modules' callables, each time the same."""
    cache = module.__dict__.setdefault("_handling", {})
    # Resource classes found later add release methods: an answer holds for as many types.
    key = (id(method), len(module.catalogue.types))
    found = cache.get(key)
    if found is None or found[0] is not method:
        handled: set[str] = set()
        releasing: set[str] = set()
        _scan_handling(method, module, handled, releasing)
        found = cache[key] = (method, frozenset(handled), bool(releasing))
    info.handled.update(found[1])
    if found[2]:
        info.releasing_methods.add(method.name)


def _scan_handling(
    method: ast.FunctionDef | ast.AsyncFunctionDef,
    module: ModuleView,
    handled: set[str],
    releasing: set[str],
) -> None:
    release_names = module.catalogue.release_methods()
    every, sites = fact(module.summaries.facts, method, "handling sites", _handling_sites)
    if every:
        handled.add("*")
    for node, parent, grand in sites:
        attr = node.attr
        if isinstance(parent, (ast.For, ast.AsyncFor)) and parent.iter is node:
            if _loop_releases(parent, module):
                handled.add(attr)
                releasing.add(method.name)
            continue
        if (
            isinstance(parent, ast.Subscript)
            and isinstance(grand, ast.Call)
            and module.resolver.qualify(grand.func) in module.catalogue.release_functions
        ):
            handled.add(attr)  # `os.close(self.pipe[0])`
            releasing.add(method.name)
            continue
        if isinstance(parent, ast.Attribute) and parent.value is node:
            if parent.attr in release_names or parent.attr in _EXITS:
                # Called (`self.f.close()`, `self.stack.__exit__(*exc)`) or handed out
                # (`callback(self.f.close)`).
                handled.add(attr)
                if isinstance(grand, ast.Call) and grand.func is parent:
                    releasing.add(method.name)
            continue
        if isinstance(parent, ast.Call):
            qual = module.resolver.qualify(parent.func)
            if node in parent.args or any(k.value is node for k in parent.keywords):
                if qual not in BORROWERS:
                    handled.add(attr)
                if qual is not None and qual in module.catalogue.release_functions:
                    releasing.add(method.name)
            continue
        if isinstance(
            parent,
            (
                ast.withitem,
                ast.Tuple,
                ast.List,
                ast.Set,
                ast.Return,
                ast.Yield,
                ast.Assign,
                ast.keyword,
                ast.Starred,
                ast.Dict,
                ast.NamedExpr,
                ast.AnnAssign,
            ),
        ):
            handled.add(attr)
            if isinstance(parent, ast.withitem):
                releasing.add(method.name)


_Site = tuple[ast.Attribute, ast.AST | None, ast.AST | None]


def _handling_sites(method: ast.AST) -> tuple[bool, tuple[_Site, ...]]:
    """What `scan_handling` reads of a method's tree: whether it reaches its own attributes by
    name (`getattr(self, name)`, `vars(self)`, `__dict__`), and each `self.<attr>` it reads,
    with its parent and grandparent."""
    assert isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef))
    selves = _self_aliases(method)
    every = False
    sites: list[_Site] = []
    # One walk, each node with its parent and grandparent.
    stack: list[tuple[ast.AST, ast.AST | None, ast.AST | None]] = [(method, None, None)]
    while stack:
        node, parent, grand = stack.pop()
        stack.extend((child, node, parent) for child in children(node))
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "vars")
            and (
                not node.args or (isinstance(node.args[0], ast.Name) and node.args[0].id in selves)
            )
        ):
            # `getattr(self, name)` (or an alias of `self`); not `getattr(self.table(), name)`
            # nor `getattr(parent, "meta")`, which reach another object's attributes.
            every = True
        if isinstance(node, ast.Attribute) and node.attr == "__dict__":
            every = True
        if isinstance(node, ast.Attribute) and _self_attr(node) and isinstance(node.ctx, ast.Load):
            sites.append((node, parent, grand))
    return every, tuple(sites)


# A context manager's exit, called explicitly: it releases what `with` would.
_EXITS = frozenset({"__exit__", "__aexit__"})


def _self_aliases(method: ast.AST) -> frozenset[str]:
    """`self` (the first parameter, whatever its name) and the names bound to it."""
    assert isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef))
    args = method.args.posonlyargs + method.args.args
    out = {"self", args[0].arg} if args else {"self"}
    for sub in walk(method):
        if isinstance(sub, ast.Assign) and isinstance(sub.value, ast.Name) and sub.value.id in out:
            out.update(t.id for t in sub.targets if isinstance(t, ast.Name))
    return frozenset(out)


def _find_call(method: ast.AST, name: str) -> ast.Call:
    for n in walk(method):
        if (
            isinstance(n, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == name for t in n.targets)
            and isinstance(n.value, ast.Call)
        ):
            return n.value
    raise LookupError(name)  # pragma: no cover - only called for names assigned from calls


def _is_self(node: ast.AST) -> bool:
    return isinstance(node, ast.Name) and node.id == "self"


def _self_attr(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "self"
    )


# Types that hold nothing when created: a lock is not held, an ExitStack has no callbacks
# yet. An instance that creates one in `__init__` holds a resource only later, if at all.
_EMPTY_AT_CREATION = frozenset({"lock", "exit_stack"})


def register_resource_classes(module: ModuleView) -> None:
    """Classes that acquire in `__init__` (or `connect`, `open`, `start`, ...) and release in
    another method become resource types."""
    if not module.summaries.class_defs:
        return
    for name, info in class_resources(module).items():
        if not info.checkable:
            continue
        rtype = _resource_type(
            name, info, module.catalogue.release_methods(), module.summaries.facts
        )
        if rtype is not None:
            module.catalogue.types[rtype.name] = rtype


_Methods = dict[str, ast.FunctionDef | ast.AsyncFunctionDef]


def _candidate(
    info: ClassResources, facts: StatementFacts | None
) -> tuple[list[str], _Methods, set[str]] | None:
    """What makes a class a candidate resource type, whatever release methods are known:
    the attributes it acquires in an opening method, its methods, and those that release
    (one level of delegation included); None when it cannot be one."""
    acquired_in_init = [
        a
        for a, (_, m, t) in info.acquired.items()
        if m in ACQUIRING and t not in _EMPTY_AT_CREATION
    ]
    if not acquired_in_init:
        return None
    methods = {
        m.name: m for m in info.node.body if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))
    }
    if "__del__" in methods:
        return None
    release = {
        m
        for m in info.releasing_methods
        if m not in ACQUIRING and m not in ("__exit__", "__aexit__", "__del__")
    }
    # One level of delegation: `def __exit__(self, *a): self.close()`.
    for mname, m in methods.items():
        if mname not in ("__exit__", "__aexit__", "__init__") and not release.isdisjoint(
            fact(facts, m, "self calls", _self_calls)
        ):
            release.add(mname)
    if not release:
        return None
    return acquired_in_init, methods, release


def may_be_resource_type(info: ClassResources, facts: StatementFacts | None = None) -> bool:
    """Whether the class may become a resource type (`register_resource_classes`): whether it
    does also depends on the release methods known when it is registered."""
    return _candidate(info, facts) is not None


def _resource_type(
    name: str,
    info: ClassResources,
    release_names: frozenset[str],
    facts: StatementFacts | None = None,
) -> ResourceType | None:
    """``facts``: what each member of a top-level class calls on `self`, kept while its tree
    is."""
    candidate = _candidate(info, facts)
    if candidate is None:
        return None
    acquired_in_init, methods, release = candidate
    ends_released = _released_by_init(
        methods.get("__init__"),
        [a for a in acquired_in_init if info.acquired[a][1] == "__init__"],
        release,
        methods,
        release_names,
    )
    if ends_released:
        acquired_in_init = [a for a in acquired_in_init if info.acquired[a][1] != "__init__"]
        if not acquired_in_init:
            return None
    # A method that does its work and then releases (`read()`: parse, then close) releases
    # nothing when its work raises, unless the release is in a `finally`.
    on_return = frozenset(
        m
        for m in release
        if m.lstrip("_") not in _CONVENTIONAL
        and m in methods
        and not _releases_on_raise(methods[m], release, release_names)
    )
    init = methods.get("__init__")
    path_or_stream = (
        _path_parameter(init, [info.acquired[a][0] for a in acquired_in_init])
        if init is not None and all(info.acquired[a][1] == "__init__" for a in acquired_in_init)
        else None
    )
    exits = [methods[m] for m in ("__exit__", "__aexit__") if m in methods]
    with_releases = any(
        isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and (
            (n.func.attr in release and _is_self(n.func.value))
            or (n.func.attr in release_names and _self_attr(n.func.value))
        )
        for m in exits
        for n in walk(m)
    )
    type_name = f"class:{name}"
    # Acquiring only in `connect()`/`open()`/`start()`: an instance holds nothing until one
    # of them succeeds.
    opening = frozenset(info.acquired[a][1] for a in acquired_in_init)
    lazy = not opening & {"__init__", "__post_init__"}
    return ResourceType(
        type_name,
        f"`{name}` instance",
        frozenset(release),
        with_releases=with_releases,
        supports_with="__enter__" in methods or "__aenter__" in methods,
        opened_by=opening if lazy else frozenset(),
        release_on_return=on_return,
        path_or_stream=path_or_stream,
    )


# Attributes a stream has and a path does not.
_STREAM_ATTRS = frozenset({"read", "write", "readline", "fileno", "seek", "close"})
_PATH_TYPES = frozenset({"str", "bytes", "os.PathLike", "PathLike", "Path", "PurePath"})


def _path_parameter(
    init: ast.FunctionDef | ast.AsyncFunctionDef, calls: list[ast.Call]
) -> tuple[str, int] | None:
    """The parameter of ``init`` that every one of ``calls`` (what it acquires) is made under
    a test of as a path: in the body of `if not hasattr(p, "write"):` or `if isinstance(p,
    (str, os.PathLike)):`, or in the `else` of `if hasattr(p, "read"):`."""
    params = [a.arg for a in (*init.args.posonlyargs, *init.args.args)][1:]
    found: set[str] = set()
    for call in calls:
        names = _path_tests_around(init, call)
        if not names:
            return None
        found |= names
    if len(found) != 1:
        return None
    (name,) = found
    return (name, params.index(name)) if name in params else None


def _path_tests_around(init: ast.AST, call: ast.Call) -> set[str]:
    """The parameters an enclosing `if` of ``call`` in ``init`` tests to be paths."""
    out: set[str] = set()
    for node in walk(init):
        if not isinstance(node, ast.If):
            continue
        for branch, as_path in ((node.body, True), (node.orelse, False)):
            if any(n is call for stmt in branch for n in walk(stmt)):
                name = _tested_path(node.test, as_path)
                if name is not None:
                    out.add(name)
    return out


def _tested_path(test: ast.expr, holds: bool) -> str | None:
    """The name ``test`` says is a path where it evaluates to ``holds``."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return _tested_path(test.operand, not holds)
    if not (isinstance(test, ast.Call) and isinstance(test.func, ast.Name) and len(test.args) == 2):
        return None
    subject, arg = test.args
    if not isinstance(subject, ast.Name):
        return None
    stream_attr = isinstance(arg, ast.Constant) and arg.value in _STREAM_ATTRS
    if test.func.id == "hasattr" and not holds and stream_attr:
        return subject.id
    if test.func.id == "isinstance" and holds:
        types = arg.elts if isinstance(arg, ast.Tuple) else [arg]
        if types and all(expr_text(t) in _PATH_TYPES for t in types):
            return subject.id
    return None


# Names whose whole job is to release (`close()`, `shutdown()`, `cleanup()`, also private:
# `_cleanup()`...): one that raises is still taken to have released, as a failing `close()`
# of a file is.
_CONVENTIONAL = (
    _RELEASING_NAMES
    | OWN_RELEASE_METHODS
    | {"release", "terminate", "kill", "wait", "quit", "logout", "detach", "disconnect"}
)


def releases_on_raise(
    method: ast.FunctionDef | ast.AsyncFunctionDef,
    release: frozenset[str],
    release_names: frozenset[str],
) -> bool:
    """Whether a release method ``method`` of a resource class releases even when its work
    raises (what makes it a release on return only, see `_releases_on_raise`)."""
    return _releases_on_raise(method, set(release), release_names)


def _releases_on_raise(
    method: ast.FunctionDef | ast.AsyncFunctionDef,
    release: set[str],
    release_names: frozenset[str],
) -> bool:
    """Whether ``method`` releases what the instance holds in a `finally` (or a `with` on
    it), so that it releases even when the rest of it raises (`try: self._parse(self.file)
    finally: self.close()`)."""
    def releases(stmt: ast.AST) -> bool:
        return any(
            isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute)
            and (
                (_is_self(n.func.value) and n.func.attr in release)
                or (_self_attr(n.func.value) and n.func.attr in release_names)
            )
            for n in walk(stmt)
        )

    raises: list[bool] = []  # each explicit `raise`: whether its block released before it
    for node in walk(method):
        if isinstance(node, (ast.With, ast.AsyncWith)) and any(
            _self_attr(item.context_expr) for item in node.items
        ):
            return True
        if isinstance(node, ast.Try) and any(releases(stmt) for stmt in node.finalbody):
            return True
        for block in _blocks(node):
            for i, stmt in enumerate(block):
                if isinstance(stmt, ast.Raise):
                    raises.append(any(releases(s) for s in block[:i]))
    # `self.process.kill(); self.process.wait(); raise Timeout(...)`: it releases before each
    # failure it raises itself (what else fails in it is taken as unlikely).
    return bool(raises) and all(raises)


def _blocks(node: ast.AST) -> list[list[ast.stmt]]:
    return [
        block
        for name in ("body", "orelse", "finalbody")
        if isinstance(block := getattr(node, name, None), list)
        and block
        and isinstance(block[0], ast.stmt)
    ]


def _released_by_init(
    init: ast.FunctionDef | ast.AsyncFunctionDef | None,
    attrs: list[str],
    release: set[str],
    methods: dict[str, ast.FunctionDef | ast.AsyncFunctionDef],
    release_names: frozenset[str],
) -> bool:
    """`__init__` opens, then calls a method of its own that closes what it opened
    (imageio's `self._read()`: parse the file, close it): once constructed, an instance
    holds nothing. The call is a statement of `__init__`'s own body (not under a test) with
    no later store of those attributes, and that method closes each of them
    (`self._file.close()`) and stores nothing but None in them."""
    if init is None or not attrs:
        return False
    for i, stmt in enumerate(init.body):
        call = stmt.value if isinstance(stmt, ast.Expr) else None
        if not (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and _is_self(call.func.value)
            and call.func.attr in release
            and call.func.attr in methods
        ):
            continue
        method = methods[call.func.attr]
        if _stores_attrs(init.body[i + 1 :], attrs, allow_none=False):
            continue
        if _closes_attrs(method, attrs, release_names) and not _stores_attrs(
            method.body, attrs, allow_none=True
        ):
            return True
    return False


def _closes_attrs(method: ast.AST, attrs: list[str], release_names: frozenset[str]) -> bool:
    closed = {
        n.func.value.attr
        for n in walk(method)
        if isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and n.func.attr in release_names
        and _self_attr(n.func.value)
        and isinstance(n.func.value, ast.Attribute)
    }
    return all(a in closed for a in attrs)


def _stores_attrs(body: list[ast.stmt], attrs: list[str], allow_none: bool) -> bool:
    for stmt in body:
        for n in walk(stmt):
            if not isinstance(n, (ast.Assign, ast.AnnAssign)) or n.value is None:
                continue
            targets = n.targets if isinstance(n, ast.Assign) else [n.target]
            stored = any(
                isinstance(t, ast.Attribute) and _is_self(t.value) and t.attr in attrs
                for target in targets
                for t in walk(target)
            )
            none = isinstance(n.value, ast.Constant) and n.value.value is None
            if stored and not (allow_none and none):
                return True
    return False


def _self_calls(method: ast.AST) -> frozenset[str]:
    """The methods a method calls on `self` (`self.close()`)."""
    return frozenset(
        n.func.attr
        for n in walk(method)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and _self_attr(n.func)
    )


@dataclass(frozen=True)
class ForeignBased:
    """A class that would be a resource type if its bases from other modules (qualified
    names) do not touch the attributes it acquires: the project index decides."""

    type: ResourceType
    bases: tuple[str, ...]
    acquired: tuple[str, ...]


def foreign_based_resources(module: ModuleView) -> dict[str, ForeignBased]:
    """Classes left unchecked only because a base is another module's class."""
    out: dict[str, ForeignBased] = {}
    infos = class_resources(module)
    for name, info in infos.items():
        if info.checkable or not info.acquired:
            continue
        bases = foreign_bases(info.node, module, infos)
        if bases is not None:
            if not bases or info.node.keywords:
                continue
            scanned = ClassResources(info.node, dict(info.acquired))
            for member in info.node.body:
                if isinstance(member, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    scan_handling(member, module, scanned)
            if "*" in scanned.handled:
                continue  # reaches attributes by name
            rtype = _resource_type(name, scanned, module.catalogue.release_methods())
            if rtype is not None:
                out[name] = ForeignBased(rtype, bases, tuple(sorted(scanned.acquired)))
    return out


def foreign_bases(
    node: ast.ClassDef, module: ModuleView, infos: dict[str, ClassResources]
) -> tuple[str, ...] | None:
    """The qualified names of a class's bases from other modules (the neutral ones left
    out), for the project index to look through; None if one is a local class or not a
    plain name. A name bound at module level to a call's result (`TableBase =
    with_typehint(Table)`) is named in this module: the index knows what it is (see
    `index.base_aliases`)."""
    return _named_bases(node, module, infos, own_module=True)


def _named_bases(
    node: ast.ClassDef, module: ModuleView, local: Container[str], own_module: bool
) -> tuple[str, ...] | None:
    """The qualified names of a class's non-neutral bases; None if one is a class of
    ``local``, generic or unknown. ``own_module``: a plain name the resolver does not know is
    taken as bound in this module (`TableBase: type[T] = f(T)`)."""
    bases: list[str] = []
    for base in node.bases:
        text = expr_text(base)
        if text in _NEUTRAL_BASES:
            continue
        plain = isinstance(base, (ast.Name, ast.Attribute))
        qual = module.resolver.qualify(base) if plain else None
        name = module.resolver.module_name
        if qual is None and own_module and isinstance(base, ast.Name) and name:
            qual = f"{name}.{base.id}"
        if qual is None or text in local or "." not in qual:
            return None
        bases.append(qual)
    return tuple(bases)


@dataclass(frozen=True)
class BaseView:
    """What a subclass in another module needs of a plain class: its bases from other
    modules, the attributes of `self` it mentions ("*": it reaches them by name), the methods
    that may release (a subclass's release may go through them) and `with` support."""

    bases: tuple[str, ...]
    mentions: tuple[str, ...]
    releasing: tuple[str, ...]
    supports_with: bool


def base_views(module: ModuleView, skip: set[str], uses: AttrUses) -> dict[str, BaseView]:
    """Plain classes whose bases are all neutral or other modules' classes (named)."""
    out: dict[str, BaseView] = {}
    defs = module.summaries.class_defs
    release_names = module.catalogue.release_methods()
    for name, node in defs.items():
        if name in skip or node.keywords:
            continue
        bases = _named_bases(node, module, defs, own_module=False)
        if bases is None:
            continue
        mentions = uses.mentions(node.lineno, node.end_lineno or node.lineno)
        methods = {
            m.name for m in node.body if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))
        }
        releasing = methods & (_RELEASING_NAMES | release_names)
        out[name] = BaseView(
            bases,
            tuple(sorted(mentions)),
            tuple(sorted(releasing - {"__exit__", "__aexit__", "__del__", "tearDown"})),
            "__enter__" in methods or "__aenter__" in methods,
        )
    return out


@dataclass(frozen=True)
class ForeignOwner:
    """A class that would be a resource type if what its acquiring methods store on `self`
    from other modules' callables (qualified names) is a resource: the project index
    decides (`self.session = Session(host)` with `Session` a resource class elsewhere)."""

    type: ResourceType
    callees: tuple[str, ...]
    # The constructor's argument (keyword, position after `self`; -1: keyword only) through
    # which a caller chooses the class whose instance it keeps, when all of them are chosen
    # so (see `chosen_classes`): a call choosing one not known as a resource acquires nothing.
    chooser: tuple[str, int] | None = None
    # Its bases from other modules, which must not touch the attributes it acquires (as for
    # `ForeignBased`): the project index decides.
    bases: tuple[str, ...] = ()
    acquired: tuple[str, ...] = ()


# `self.x = name(` or `self.x = a.b(`, possibly behind another target (`self.p = p = ...`)
# or an annotation (`self.x: T = name(`).
_STORED_CALL = re.compile(
    r"self\.\w+\s*(?::[^=\n]*)?=\s*(?:\w+\s*=\s*)?(?:await\s+)?([A-Za-z_][\w.]*)\s*\("
)


def foreign_owners(module: ModuleView, skip: set[str]) -> dict[str, ForeignOwner]:
    """Plain classes whose acquiring methods store the result of another module's callable
    on `self` and release that attribute in another method (their bases from other modules
    are left to the index)."""
    out: dict[str, ForeignOwner] = {}
    defs = module.summaries.class_defs
    imports = module.resolver.imports
    lines = module.source.lines
    infos: dict[str, ClassResources] | None = None
    for name, node in defs.items():
        if name in skip:
            continue
        text = "\n".join(lines[node.lineno - 1 : node.end_lineno or node.lineno])
        roots = {m.split(".", 1)[0] for m in _STORED_CALL.findall(text)}
        if not roots & imports.keys() and not may_choose(node, lambda e: _imported(e, imports)):
            continue  # cheap filter: no imported callable's result is stored on `self`
        if infos is None:
            infos = class_resources(module)
        info = infos.get(name)
        if info is None:
            continue
        bases: tuple[str, ...] = ()
        if not info.checkable:
            # A base from elsewhere might release (or use) what it stores: the index decides.
            found = foreign_bases(node, module, infos)
            if not found or node.keywords:
                continue
            bases = found
        scanned = ClassResources(node)
        callees: dict[str, tuple[str, int] | None] = {}
        for method in node.body:
            if isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)) and (
                method.name in ACQUIRING
            ):
                _scan_foreign(method, node, module, scanned, callees)
        if not scanned.acquired:
            continue
        for member in node.body:
            if isinstance(member, (ast.FunctionDef, ast.AsyncFunctionDef)):
                scan_handling(member, module, scanned)
        if "*" in scanned.handled:
            continue
        rtype = _resource_type(name, scanned, module.catalogue.release_methods())
        if rtype is not None:
            choosers = set(callees.values())
            chooser = choosers.pop() if len(choosers) == 1 else None
            acquired = tuple(sorted(scanned.acquired))
            out[name] = ForeignOwner(rtype, tuple(sorted(callees)), chooser, bases, acquired)
    return out


def _imported(expr: ast.expr, imports: dict[str, str]) -> bool:
    """Whether ``expr`` is a plain name (`a` or `a.b`) whose root is imported."""
    while isinstance(expr, ast.Attribute):
        expr = expr.value
    return isinstance(expr, ast.Name) and expr.id in imports


def _scan_foreign(
    method: ast.FunctionDef | ast.AsyncFunctionDef,
    cls: ast.ClassDef,
    module: ModuleView,
    info: ClassResources,
    callees: dict[str, tuple[str, int] | None],
) -> None:
    """Attributes ``method`` binds to the result of another module's callable, called by
    name or chosen at run time (a class attribute, a parameter's default, a popped keyword
    argument's default: see `chosen_classes`); ``callees``: their qualified names, each
    with the argument through which the caller may choose another."""
    imports = module.resolver.imports
    for stmt in iter_statements(method.body, nested=False):
        if isinstance(stmt, ast.Assign):
            targets = stmt.targets
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            targets = [stmt.target]  # `self._storage: Storage = storage(...)`
        else:
            continue
        assert stmt.value is not None
        value = stmt.value.value if isinstance(stmt.value, ast.Await) else stmt.value
        if not isinstance(value, ast.Call):
            continue
        func: ast.expr = value.func
        chooser: tuple[str, int] | None = None
        if not _imported(func, imports):
            choice = chosen_class(func, method, cls, module.summaries.facts)
            if choice is None or not _imported(choice.default, imports):
                continue
            func = choice.default
            if choice.keyword is not None:
                chooser = (choice.keyword, choice.position)
        qual = module.resolver.qualify(func)
        if qual is None or "." not in qual or qual in module.catalogue.factories:
            continue
        for target in targets:
            if isinstance(target, ast.Attribute) and _self_attr(target):
                info.acquired.setdefault(target.attr, (value, method.name, f"?{qual}"))
                callees[qual] = chooser if callees.get(qual, chooser) == chooser else None
