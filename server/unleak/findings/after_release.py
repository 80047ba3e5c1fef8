"""A resource, or a value built from it, used after its release (UL110).

Releases are the end of a `with` block that closes the resource and an explicit `close()`.
What depends on the resource comes from flow/derived.py (only values known to need it open
count here). From the release, the statements that may run next are followed in order: a
use of a dependent name is reported, a rebinding of the name ends its dependence, and a
`return`/`raise`/`break`/`continue` ends the path. Loops are not followed around, and a
`close()` inside an `if` is not followed past the `if` (the later code is often guarded by
the same condition): both keep the rule quiet where it cannot be sure.
"""

from __future__ import annotations

import ast
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, cast

from unleak.catalogue import ResourceType
from unleak.catalogue.own_release import OWN_RELEASE_METHODS
from unleak.findings.model import Finding, Related
from unleak.flow.derived import (
    Dependence,
    Strength,
    dependence,
    name_matters,
    plain_annotation,
    plain_rebinding,
    value_strength,
)
from unleak.names.resolver import iter_statements
from unleak.names.text import expr_text
from unleak.source.walk import children, walk
from unleak.summaries.types import call_type

if TYPE_CHECKING:
    from unleak.findings.module import ModuleAnalysis, Unit
    from unleak.flow.effects import Scope

# Calls that read or iterate their argument at once: on a closed resource they fail.
CONSUMERS = frozenset(
    {
        "builtins.list",
        "builtins.tuple",
        "builtins.set",
        "builtins.frozenset",
        "builtins.sorted",
        "builtins.next",
        "builtins.sum",
        "builtins.min",
        "builtins.max",
        "builtins.any",
        "builtins.all",
        "builtins.dict",
        "json.load",
        "pickle.load",
        "marshal.load",
        "tomllib.load",
        "plistlib.load",
        "shutil.copyfileobj",
        "yaml.safe_load",
        "yaml.load",
        "toml.load",
        "email.message_from_file",
        "email.message_from_binary_file",
        "hashlib.file_digest",
    }
)
# Releases after which the object is closed for good (a process's wait() is not one).
_CLOSING_METHODS = frozenset({"close", "aclose"})
# `wait_closed()` is meant for after `close()`: it waits until the close is done.
_HARMLESS_ATTRIBUTES = frozenset(
    {"closed", "name", "mode", "encoding", "close", "aclose", "wait_closed"}
)
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
_TRY_TYPES: tuple[type[ast.stmt], ...] = tuple(
    t for t in (ast.Try, getattr(ast, "TryStar", None)) if t is not None
)


@dataclass(frozen=True)
class Release:
    roots: frozenset[str]  # the names of the resource
    stmt: ast.stmt  # the `with` statement, or the statement calling close()
    by_with: bool
    noun: str
    acquired: ast.AST | None  # the acquiring call, when it is in sight
    # Methods that end its life too: calling one after the release is no use of it
    # (`pool.close()` then `pool.terminate()`, `f.close()` then `f.abort()`).
    releases: frozenset[str] = frozenset()
    # Methods that open it again (`client.close()` then `client.connect()`).
    reopens: frozenset[str] = frozenset()
    # An object of no known type (`closing(response)`): an attribute of it returned from the
    # block is taken as data read from it (`response.content`), not a member that needs it.
    untyped: bool = False


@dataclass(frozen=True)
class Use:
    node: ast.expr
    name: str
    how: str  # "used", "returned"


def used_after_release(module: ModuleAnalysis, code: str) -> Iterator[Finding]:
    for unit in module.units:
        if module.unit_triggered(unit):
            yield from module.unit_findings(unit, code, partial(_in_unit, module, unit, code))


def _in_unit(module: ModuleAnalysis, unit: Unit, code: str) -> list[Finding]:
    """The findings of one unit (reused from an earlier analysis while it is unchanged)."""
    return list(_unit_uses(module, unit, code))


def _unit_uses(module: ModuleAnalysis, unit: Unit, code: str) -> Iterator[Finding]:
    scope = module.scope_for(unit)
    layout: _Layout | None = None  # built for the first release (most units have none)
    for release in _releases(unit, module, scope):
        if layout is None:
            layout = _Layout(unit.body)
        dep = dependence(
            unit.body,
            release.roots,
            module.resolver,
            named_while_open=isinstance(release.acquired, ast.Call)
            and name_matters(release.acquired, module.resolver),
            exclude=_other_values(release, layout),
        )
        use = _returned_from_with(release, dep, module) if release.by_with else None
        if use is None:
            use = _first_use_after(release, layout, dep, module)
        if use is not None and use.how == "returned" and _returns_plain(unit.node):
            continue  # `-> Tuple[int, ...]`: what it returns is data read from the resource
        if use is not None:
            yield _finding(module, code, release, dep, use)


def _returns_plain(node: ast.AST) -> bool:
    returns = getattr(node, "returns", None)
    return isinstance(returns, ast.expr) and plain_annotation(returns)


def _releases(unit: Unit, module: ModuleAnalysis, scope: Scope) -> Iterator[Release]:
    types = module.catalogue.types
    for stmt in iter_statements(unit.body, nested=False):
        if isinstance(stmt, (ast.With, ast.AsyncWith)):
            if any(_is_process(i.context_expr, scope) for i in stmt.items):
                continue  # `with Popen(...)` waits for the child; its pipes stay readable
            for item in stmt.items:
                ctx = item.context_expr
                ctx = ctx.value if isinstance(ctx, ast.Await) else ctx
                target = item.optional_vars
                bound = {target.id} if isinstance(target, ast.Name) else set()
                if isinstance(ctx, ast.Call):
                    qual = module.resolver.qualify(ctx.func)
                    if qual == "contextlib.closing" and ctx.args:
                        inner = ctx.args[0]
                        names = {inner.id} if isinstance(inner, ast.Name) else set()
                        if names | bound:
                            untyped = not any(n in scope.var_types for n in names) and not (
                                isinstance(inner, ast.Call) and call_type(inner, scope)
                            )
                            held = frozenset(names | bound)
                            yield Release(held, stmt, True, "object", None, untyped=untyped)
                        continue
                    tname = call_type(ctx, scope)
                    rtype = types.get(tname or "")
                    if (
                        rtype is not None
                        and rtype.with_releases
                        and bound
                        and not _hands_off(stmt, bound)
                    ):
                        yield Release(
                            frozenset(bound),
                            stmt,
                            True,
                            rtype.noun,
                            ctx,
                            _ending(rtype),
                            _reopening(rtype),
                        )
                elif isinstance(ctx, ast.Name):
                    rtype = types.get(scope.var_types.get(ctx.id, ""))
                    if rtype is not None and rtype.with_releases:
                        held = frozenset({ctx.id, *bound})
                        yield Release(
                            held, stmt, True, rtype.noun, None, _ending(rtype), _reopening(rtype)
                        )
        elif isinstance(stmt, ast.Expr):
            call = stmt.value.value if isinstance(stmt.value, ast.Await) else stmt.value
            if not (
                isinstance(call, ast.Call)
                and isinstance(call.func, ast.Attribute)
                and isinstance(call.func.value, ast.Name)
                and not call.args
            ):
                continue
            name, method = call.func.value.id, call.func.attr
            rtype = types.get(scope.var_types.get(name, ""))
            if rtype is None:
                continue
            if (method in _CLOSING_METHODS and method in rtype.release) or (
                rtype.name == "tempdir" and method == "cleanup"
            ):
                yield Release(
                    frozenset({name}),
                    stmt,
                    False,
                    rtype.noun,
                    None,
                    _ending(rtype),
                    _reopening(rtype),
                )


def _ending(rtype: ResourceType) -> frozenset[str]:
    """The methods that release a resource of ``rtype`` (its own and its project's), and
    `join()`, which waits for what the release started."""
    return frozenset(m for m in (*rtype.release, *OWN_RELEASE_METHODS, "join") if m.isidentifier())


# Types whose objects open again after a release, by these methods: a client class of the
# project (`connect`, `open`, `start`), an HTTP connection, a mail or FTP client.
_REOPEN_CLASS = frozenset({"connect", "open", "start"})
_REOPEN_TYPES = {"mail": frozenset({"connect"}), "ftp": frozenset({"connect"})}


def _reopening(rtype: ResourceType) -> frozenset[str]:
    if rtype.name.startswith("class:"):
        return _REOPEN_CLASS
    if rtype.opened_by:
        return rtype.opened_by
    return _REOPEN_TYPES.get(rtype.name, frozenset())


def _other_values(release: Release, layout: _Layout) -> frozenset[int]:
    """Statements of the release's block where the resource's one name names something
    else, so that what they compute depends on no closed resource:

    - from the first statement after the release that rebinds the name to a value not built
      from it (`fp = open(other)`) on;
    - before a `with` that acquires it, when the block is the function's body (run once) or
      the body of a loop whose target is that name (`for f in names: ... with open(p) as f`).
    """
    found = layout.where.get(id(release.stmt))
    if found is None or len(release.roots) != 1:
        return frozenset()
    block, i, owner, _ = found
    (root,) = release.roots
    out: list[ast.stmt] = []
    if release.by_with and release.acquired is not None:
        target = getattr(owner, "target", None)
        rebinds = isinstance(owner, (ast.For, ast.AsyncFor)) and any(
            isinstance(n, ast.Name) and n.id == root for n in walk(cast(ast.expr, target))
        )
        if owner is None or rebinds:
            out += block[:i]
    for j in range(i + 1, len(block)):
        if plain_rebinding(block[j], root):
            out += block[j:]
            break
    # `dependence` excludes statements (those of the body, not entering nested definitions).
    return frozenset(id(s) for s in iter_statements(out, nested=False))


def _is_process(ctx: ast.expr, scope: Scope) -> bool:
    if isinstance(ctx, ast.Call):
        return call_type(ctx, scope) in _PROCESSES
    return isinstance(ctx, ast.Name) and scope.var_types.get(ctx.id) in _PROCESSES


_PROCESSES = ("process", "piped_process")


# Methods that take the resource out of the object before `__exit__` (nothing is closed).
_HAND_OFF_METHODS = frozenset({"pop_all", "detach"})


def _hands_off(stmt: ast.With | ast.AsyncWith, names: set[str]) -> bool:
    return any(
        isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and n.func.attr in _HAND_OFF_METHODS
        and isinstance(n.func.value, ast.Name)
        and n.func.value.id in names
        for s in stmt.body
        for n in walk(s)
    )


def _returned_from_with(release: Release, dep: Dependence, module: ModuleAnalysis) -> Use | None:
    """`with open(p) as f: return (line for line in f)`: the caller gets a value over a
    resource the `with` closes as the function returns."""
    stmt = release.stmt
    assert isinstance(stmt, (ast.With, ast.AsyncWith))
    for s in iter_statements(stmt.body, nested=False):
        if not isinstance(s, ast.Return) or s.value is None:
            continue
        value = s.value
        if isinstance(value, ast.Name) and value.id in release.roots:
            return Use(value, value.id, "returned")
        if release.untyped and _attribute_of(value, release.roots):
            continue  # `with closing(response): return response.content`
        if value_strength(value, dep, module.resolver) == Strength.STRONG:
            return Use(value, expr_text(value), "returned")
    return None


def _attribute_of(value: ast.expr, roots: frozenset[str]) -> bool:
    """`response.content`, `r.headers.items`: an attribute (not called) of one of ``roots``."""
    if not isinstance(value, ast.Attribute):
        return False
    while isinstance(value, ast.Attribute):
        value = value.value
    return isinstance(value, ast.Name) and value.id in roots


class _Layout:
    """Where each statement sits: its block, its index, and the statement owning the block."""

    def __init__(self, body: list[ast.stmt]) -> None:
        self.where: dict[int, tuple[list[ast.stmt], int, ast.AST | None, str]] = {}
        # Blocks still to index, with their owner: a stack, as an `elif` chain can be
        # thousands deep.
        blocks: list[tuple[list[ast.stmt], ast.AST | None, str]] = [(body, None, "body")]
        while blocks:
            block, owner, field_name = blocks.pop()
            for i, s in enumerate(block):
                self.where[id(s)] = (block, i, owner, field_name)
                if isinstance(s, _SCOPES):
                    continue
                for name in ("body", "orelse", "finalbody"):
                    sub = getattr(s, name, None)
                    if sub:
                        blocks.append((sub, s, name))
                blocks.extend((h.body, s, "handlers") for h in getattr(s, "handlers", ()))
                blocks.extend((c.body, s, "cases") for c in getattr(s, "cases", ()))


@dataclass
class _Scan:
    """The result of following a block: a use, or the names still live after it (None: every
    path through it ends in return/raise/break/continue)."""

    use: Use | None
    live: set[str] | None


class _Follower:
    def __init__(self, release: Release, dep: Dependence, module: ModuleAnalysis) -> None:
        self.release = release
        self.dep = dep
        self.module = module

    def block(self, stmts: list[ast.stmt], live: set[str], start: int = 0) -> _Scan:
        current: set[str] | None = set(live)
        index = _BlockIndex.of(stmts) if len(stmts) - start > 64 else None
        i = start
        while i < len(stmts):
            if not current:
                return _Scan(None, current)
            if index is not None:
                # Statements that mention no live name neither use nor rebind one.
                i = index.next_mentioning(current, i)
                if i >= len(stmts):
                    break
            s = stmts[i]
            i += 1
            found = self.stmt(s, current)
            if found.use is not None:
                return found
            current = found.live
        return _Scan(None, current)

    def stmt(self, s: ast.stmt, live: set[str]) -> _Scan:
        reopened = self._reopened(s, live)
        if reopened is not None:
            return _Scan(None, live - {reopened})
        own = _own_parts(s)
        use = _use_in(own, live, self.release, self.module)
        if use is not None:
            return _Scan(use, live)
        if isinstance(s, (ast.Return, ast.Raise, ast.Continue, ast.Break)):
            return _Scan(None, None)
        if isinstance(s, ast.If):
            # After the release `f.closed` is true: `if not f.closed: f.abort()` never runs.
            says_closed = _tests_closed(s.test, self.release.roots)
            body = _Scan(None, None) if says_closed is False else self.block(s.body, live)
            orelse = _Scan(None, None) if says_closed is True else self.block(s.orelse, live)
            return self._join([body, orelse])
        if isinstance(s, ast.Match):
            return self._join(
                [self.block(c.body, live) for c in s.cases] + [_Scan(None, set(live))]
            )
        if isinstance(s, (ast.For, ast.AsyncFor, ast.While)):
            inner = self.block(s.body, live - _bound(s))
            if inner.use is not None:
                return inner
            after = set(live) | (inner.live or set())
            return self.block(s.orelse, after) if s.orelse else _Scan(None, after)
        if isinstance(s, (ast.With, ast.AsyncWith)):
            if _expects_error(s):
                # `with pytest.raises(ValueError): f.read()`: a test of the closed object.
                return _Scan(None, set(live))
            return self.block(s.body, live - _bound(s))
        if isinstance(s, _TRY_TYPES):
            s = cast(ast.Try, s)  # a TryStar has the same fields
            body = self.block(s.body, live)
            if body.use is not None:
                return body
            if body.live is not None and s.orelse:
                body = self.block(s.orelse, body.live)
                if body.use is not None:
                    return body
            # A handler may start anywhere in the body: what was live before or after it.
            start = set(live) | (body.live or set())
            handlers = [self.block(h.body, start) for h in s.handlers]
            joined = self._join([body, *handlers])
            if joined.use is not None or not s.finalbody:
                return joined
            final = self.block(s.finalbody, joined.live or start)
            if final.use is not None:
                return final
            return _Scan(None, final.live if joined.live is not None else None)
        if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return _Scan(None, live - {s.name})
        return _Scan(None, self._assigned(s, live))

    def _reopened(self, s: ast.stmt, live: set[str]) -> str | None:
        """The resource's name when ``s`` opens it again (`client.connect()`): from there
        it is a live object, not a closed one."""
        if not isinstance(s, ast.Expr) or not self.release.reopens:
            return None
        call = s.value.value if isinstance(s.value, ast.Await) else s.value
        if (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and isinstance(call.func.value, ast.Name)
            and call.func.value.id in live
            and call.func.value.id in self.release.roots
            and call.func.attr in self.release.reopens
        ):
            return call.func.value.id
        return None

    def _assigned(self, s: ast.stmt, live: set[str]) -> set[str]:
        """``live`` after a simple statement: a rebound name stays live only if its new
        value is built from a live one."""
        out = set(live)
        value = getattr(s, "value", None)
        keeps = (
            value is not None
            and not isinstance(s, ast.AugAssign)
            and _strength_among(value, live, self.dep, self.module) == Strength.STRONG
        )
        for name in _bound(s):
            if keeps:
                out.add(name)
            else:
                out.discard(name)
        return out

    @staticmethod
    def _join(scans: list[_Scan]) -> _Scan:
        for scan in scans:
            if scan.use is not None:
                return scan
        lives = [scan.live for scan in scans if scan.live is not None]
        if not lives:
            return _Scan(None, None)
        return _Scan(None, set().union(*lives))


def _tests_closed(test: ast.expr, roots: frozenset[str]) -> bool | None:
    """True when ``test`` is true only if the resource is closed (`f.closed`), False when
    only if it is open (`not f.closed`), None otherwise."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = _tests_closed(test.operand, roots)
        return None if inner is None else not inner
    if (
        isinstance(test, ast.Attribute)
        and test.attr == "closed"
        and isinstance(test.value, ast.Name)
        and test.value.id in roots
    ):
        return True
    return None


class _BlockIndex:
    """Per name, the statements of a long block that mention it (their nested code too)."""

    _last: list[tuple[list[ast.stmt], _BlockIndex]] = []

    def __init__(self, stmts: list[ast.stmt]) -> None:
        self.size = len(stmts)
        self.by_name: dict[str, list[int]] = {}
        for i, s in enumerate(stmts):
            for name in {n.id for n in walk(s) if isinstance(n, ast.Name)}:
                self.by_name.setdefault(name, []).append(i)

    @classmethod
    def of(cls, stmts: list[ast.stmt]) -> _BlockIndex:
        for cached, index in cls._last:
            if cached is stmts:
                return index
        index = cls(stmts)
        cls._last[:] = [(stmts, index)]
        return index

    def next_mentioning(self, names: set[str], start: int) -> int:
        found = self.size
        for name in names:
            positions = self.by_name.get(name, ())
            k = bisect_left(positions, start)
            if k < len(positions) and positions[k] < found:
                found = positions[k]
        return found


def _strength_among(
    value: ast.AST, live: set[str], dep: Dependence, module: ModuleAnalysis
) -> Strength:
    narrowed = Dependence(dep.roots, {n: s for n, s in dep.names.items() if n in live})
    return value_strength(value, narrowed, module.resolver)


def _first_use_after(
    release: Release, layout: _Layout, dep: Dependence, module: ModuleAnalysis
) -> Use | None:
    # Objects it was only stored on (`worker.loop = loop`) may be used after it closed.
    live: set[str] | None = set(dep.dependent(Strength.STRONG)) - (dep.holders - dep.roots)
    follower = _Follower(release, dep, module)
    current: ast.AST = release.stmt
    while live:
        found = layout.where.get(id(current))
        if found is None:
            return None
        block, i, owner, field_name = found
        scan = follower.block(block, live, i + 1)
        if scan.use is not None:
            return scan.use
        live = scan.live
        if not live or owner is None or isinstance(owner, (ast.For, ast.AsyncFor, ast.While)):
            return None
        if isinstance(owner, ast.If) and not release.by_with:
            return None  # a close() inside an `if`: the code after is often guarded alike
        if isinstance(owner, _TRY_TYPES):
            rest: list[ast.stmt] = []
            if field_name == "body":
                rest += getattr(owner, "orelse", [])
            if field_name != "finalbody":
                rest += getattr(owner, "finalbody", [])
            scan = follower.block(rest, live)
            if scan.use is not None:
                return scan.use
            live = scan.live
        current = owner
    return None


def _bound(s: ast.stmt) -> set[str]:
    """Names a statement itself binds (not its nested blocks)."""
    targets: list[ast.expr] = []
    if isinstance(s, ast.Assign):
        targets = list(s.targets)
    elif isinstance(s, (ast.AnnAssign, ast.AugAssign)) and s.value is not None:
        targets = [s.target]
    elif isinstance(s, ast.Delete):
        targets = list(s.targets)
    elif isinstance(s, (ast.With, ast.AsyncWith)):
        targets = [i.optional_vars for i in s.items if i.optional_vars is not None]
    elif isinstance(s, (ast.For, ast.AsyncFor)):
        targets = [s.target]
    elif isinstance(s, (ast.Import, ast.ImportFrom)):
        return {(a.asname or a.name).split(".")[0] for a in s.names}
    return {n.id for t in targets for n in walk(t) if isinstance(n, ast.Name)}


def _own_parts(s: ast.stmt) -> list[ast.AST | tuple[ast.AST, ast.AST]]:
    """The parts of a statement it evaluates itself, before any nested block (with the
    statement, where a part's use depends on it: the iterable of a `for`)."""
    if isinstance(s, (ast.If, ast.While)):
        return [s.test]
    if isinstance(s, (ast.For, ast.AsyncFor)):
        return [(s.iter, s)]
    if isinstance(s, (ast.With, ast.AsyncWith)):
        return [i.context_expr for i in s.items]
    if isinstance(s, ast.Match):
        return [s.subject]
    if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return list(s.decorator_list)
    if isinstance(s, _TRY_TYPES):
        return []
    return [s]


def _use_in(
    parts: list[ast.AST | tuple[ast.AST, ast.AST]],
    live: set[str],
    release: Release,
    module: ModuleAnalysis,
) -> Use | None:
    for part in parts:
        parents: dict[int, ast.AST] = {}
        if isinstance(part, tuple):
            part, owner = part
            parents[id(part)] = owner
        for node in _walk_without_scopes(part):
            for child in children(node):
                parents[id(child)] = node
        for node in _walk_without_scopes(part):
            if not (isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)):
                continue
            if node.id not in live or _comprehension_binds(node, parents):
                continue
            how = _how_used(node, parents, release, module)
            if how:
                return Use(node, node.id, how)
    return None


# Context managers that expect the block to raise: what it does with a closed object is a
# test that it is closed.
_EXPECTING = frozenset({"raises", "assertRaises", "assertRaisesRegex", "assertRaisesRegexp"})


def _expects_error(s: ast.With | ast.AsyncWith) -> bool:
    for item in s.items:
        ctx = item.context_expr
        if isinstance(ctx, ast.Call):
            func = ctx.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in _EXPECTING:
                return True
    return False


_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def _comprehension_binds(name: ast.Name, parents: dict[int, ast.AST]) -> bool:
    """`{f.encode() for f in names}`: the comprehension's own `f`, not the closed file."""
    child: ast.AST = name
    node = parents.get(id(name))
    while node is not None:
        if isinstance(node, _COMPREHENSIONS):
            for gen in node.generators:
                bound = {n.id for n in walk(gen.target) if isinstance(n, ast.Name)}
                # The first iterable is evaluated outside the comprehension's scope.
                if name.id in bound and child is not node.generators[0].iter:
                    return True
        child, node = node, parents.get(id(node))
    return False


def _walk_without_scopes(s: ast.AST) -> Iterator[ast.AST]:
    stack = [s]
    while stack:
        node = stack.pop()
        yield node
        for child in children(node):
            if isinstance(child, _SCOPES):
                continue  # a nested function uses the name only when it is called
            stack.append(child)


def _how_used(
    name: ast.Name, parents: dict[int, ast.AST], release: Release, module: ModuleAnalysis
) -> str:
    is_root = name.id in release.roots
    parent = parents.get(id(name))
    if isinstance(parent, ast.Attribute) and parent.value is name:
        # A method called on it (`f.read()`); plain attributes (`proc.args`) stay readable.
        call = parents.get(id(parent))
        called = isinstance(call, ast.Call) and call.func is parent
        harmless = parent.attr in _HARMLESS_ATTRIBUTES or parent.attr in release.releases
        return "used" if called and not harmless else ""
    if isinstance(parent, ast.Call):
        if parent.func is name:
            return "called"
        func = parent.func
        known = isinstance(func, (ast.Name, ast.Attribute))
        qual = module.resolver.qualify(func) if known else None
        if qual in CONSUMERS:
            return "read"
        if (
            isinstance(func, ast.Attribute)
            and func.attr == "join"
            and isinstance(func.value, ast.Constant)
        ):
            return "read"
        return ""
    if isinstance(parent, (ast.For, ast.AsyncFor, ast.comprehension)) and parent.iter is name:
        return "iterated"
    if isinstance(parent, ast.YieldFrom):
        return "iterated"
    if isinstance(parent, ast.Return) and not is_root:
        return "returned"
    return ""


def _finding(
    module: ModuleAnalysis, code: str, release: Release, dep: Dependence, use: Use
) -> Finding:
    source = module.source
    root = sorted(release.roots)[0]
    where = release.stmt
    line = where.lineno
    closed_by = (
        f"the `with` block on line {line} closed"
        if release.by_with
        else f"`{root}.close()` on line {line} closed"
    )
    inside = line <= use.node.lineno <= (where.end_lineno or line)
    if use.how == "returned" and release.by_with and inside:
        message = (
            f"`{_short(use.name)}` is returned from inside the `with` block on line {line}, "
            f"which closes the {release.noun} `{root}` as the function returns: the caller "
            "gets it closed"
        )
    elif use.name in release.roots:
        message = f"The {release.noun} `{use.name}` is {use.how} after {closed_by} it"
    else:
        message = (
            f"`{use.name}` is {use.how} after {closed_by} the {release.noun} `{root}` it "
            f"depends on" + _built_from(use.name, dep)
        )
    note = (
        f"the `with` block closes `{root}` here, at its end"
        if release.by_with
        else f"`{root}` is closed here"
    )
    related = [Related(source.span(where), note)]
    origin = dep.origins.get(use.name)
    if origin is not None and use.name not in release.roots:
        related.append(Related(source.span(origin), f"`{use.name}` is made from `{root}` here"))
    details = (
        ("resource", release.noun),
        ("released", f"line {line}"),
        ("used", f"line {use.node.lineno}"),
    )
    return module.finding(code, message, source.span(use.node), tuple(related), details)


def _built_from(name: str, dep: Dependence) -> str:
    origin = dep.origins.get(name)
    return "" if origin is None else f" (it comes from `{_short(_source_text(origin))}`)"


def _source_text(node: ast.AST) -> str:
    try:
        return ast.unparse(node)
    except Exception:  # a synthetic node without every field
        return "it"


def _short(text: str, limit: int = 48) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
