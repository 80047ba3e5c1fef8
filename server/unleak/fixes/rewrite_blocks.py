"""Fixes that restructure a block: wrap in `with`, hoist an inline use into `with`, release
in `finally`, and `with lock:` for acquire/release pairs.

Every builder checks the conditions under which its rewrite changes nothing but the release
of the resource, and returns None when they do not hold.
"""

from __future__ import annotations

import ast
from bisect import bisect_right
from collections.abc import Container
from dataclasses import dataclass
from typing import TYPE_CHECKING

from unleak.catalogue import BORROWERS, BORROWING_METHODS, ResourceType
from unleak.catalogue.with_semantics import WithSemantics, with_semantics
from unleak.findings.model import Edit, Fix
from unleak.fixes.conditional import (
    bound_on_every_branch,
    condition_names,
    conditional_release,
    enclosing_if,
    stores,
)
from unleak.fixes.guards import guarded_release, guards_in, leading_exit_guard
from unleak.fixes.registrations import registered, undone_registrations
from unleak.fixes.rewrite import (
    Lines,
    bound_names,
    find_block,
    fresh_name,
    in_nested_scope,
    lines_of,
    multiline_strings,
    name_uses,
    own_line,
    statement_of,
    string_lines,
    sub_blocks,
    used_names,
)
from unleak.fixes.rewrite_align import moved_expression, replaced_in_statement
from unleak.fixes.rewrite_misc import closing_spelling
from unleak.flow.derived import (
    PLAIN_FUNCTIONS,
    Strength,
    dependence,
    inline_strength,
    loads_of,
    name_matters,
    plain_rebinding,
)
from unleak.flow.effects import SiteInfo
from unleak.names.resolver import statement_call
from unleak.names.text import expr_text
from unleak.source.walk import children, walk

if TYPE_CHECKING:
    from unleak.findings.module import LeakContext, ModuleAnalysis

_HANDING = frozenset({"__enter__", "__exit__", "detach"})
_NAMES = {
    "file": "f",
    "response": "resp",
    "archive": "archive",
    "socket": "sock",
    "process": "proc",
    "sqlite": "conn",
    "connection": "conn",
    "fd": "fd",
}


@dataclass
class LeakSite:
    """A leak context seen from the fix builders."""

    context: LeakContext

    @property
    def module(self) -> ModuleAnalysis:
        return self.context.module

    @property
    def scope(self) -> ast.AST:
        return self.context.scope

    @property
    def body(self) -> list[ast.stmt]:
        return self.context.body

    @property
    def info(self) -> SiteInfo:
        return self.context.info

    @property
    def is_async(self) -> bool:
        return self.context.is_async

    @property
    def lines(self) -> Lines:
        return lines_of(self.module)

    @property
    def rtype(self) -> ResourceType:
        return self.info.type

    @property
    def factory(self) -> str | None:
        func = self.info.node.func
        if isinstance(func, (ast.Name, ast.Attribute)):
            return self.module.resolver.qualify(func)
        return None

    @property
    def with_semantics(self) -> WithSemantics:
        return with_semantics(self.factory, self.rtype)


@dataclass(frozen=True)
class Acquiring:
    """`name = acquire(...)` as a statement of its own: also `name: T = acquire(...)` and
    `name = typing.cast(T, acquire(...))` (cast returns its argument)."""

    stmt: ast.Assign | ast.AnnAssign
    name: str
    target: ast.Name
    value: ast.expr  # the whole assigned value (the cast too): what the `with` header takes
    # One element of an unpacked tuple (`fd, path = mkstemp()`): a release can move into
    # `finally`, but `with` would take the whole tuple.
    element: bool = False


def _acquiring_assign(site: LeakSite) -> Acquiring | None:
    stmt = statement_of(site.body, site.info.node)
    if site.info.site[2] != -1:
        return _acquiring_element(stmt, site.info.site[2], site.info.node)
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
        target: ast.expr = stmt.targets[0]
    elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None and stmt.simple:
        target = stmt.target
    else:
        return None
    value = stmt.value
    # `x = await factory()`: the awaited value is the resource (`async with` takes it).
    made = value.value if isinstance(value, ast.Await) else value
    if (
        isinstance(target, ast.Name)
        and value is not None
        and made is not None
        and site.module.resolver.uncast(made) is site.info.node
    ):
        return Acquiring(stmt, target.id, target, value)
    return None


def _acquiring_element(stmt: ast.stmt | None, k: int, call: ast.Call) -> Acquiring | None:
    """`a, b = acquire()` binding element ``k`` of the returned tuple to a name of its own."""
    if not (
        isinstance(stmt, ast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], (ast.Tuple, ast.List))
        and (stmt.value is call or (isinstance(stmt.value, ast.Await) and stmt.value.value is call))
    ):
        return None
    elts = stmt.targets[0].elts
    if k >= len(elts) or any(isinstance(e, ast.Starred) for e in elts):
        return None
    target = elts[k]
    if not isinstance(target, ast.Name):
        return None
    if [n for e in elts for n in name_uses(e, target.id)] != [target]:
        return None  # `fd, fd = ...`: which one is kept is not this element
    return Acquiring(stmt, target.id, target, stmt.value, element=True)


def _releases(site: LeakSite, stmt: ast.stmt, name: str) -> bool:
    """`name.close()` (a release of this type) or `os.close(name)` as a whole statement."""
    call = statement_call(stmt)
    if call is None:
        return False
    func = call.func
    if (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.value.id == name
    ):
        return func.attr in site.rtype.release and not call.args
    qual = site.module.resolver.qualify(func)
    return (
        qual in site.rtype.release_functions
        and len(call.args) == 1
        and isinstance(call.args[0], ast.Name)
        and call.args[0].id == name
    )


def _release_name(stmt: ast.stmt) -> str:
    call = statement_call(stmt)
    func = call.func if call is not None else None
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


_IDEMPOTENT = frozenset(
    {"file", "socket", "archive", "response", "sqlite", "connection", "selector"}
)


def _last_statement_using(block: list[ast.stmt], i: int, uses: list[ast.Name]) -> int:
    """The index of the last statement of ``block`` after ``block[i]`` that holds one of
    ``uses`` (``i`` if none): found by line, not by walking every later statement."""
    starts = [s.lineno for s in block]
    last = i
    for use in uses:
        j = bisect_right(starts, use.lineno) - 1
        if j > last and (block[j].end_lineno or block[j].lineno) >= use.lineno:
            last = j
    return last


def _later_releases(site: LeakSite, name: str, after_line: int) -> set[int]:
    """Name nodes of `name.close()` statements after `after_line`, for types whose release
    can safely run twice."""
    if site.rtype.name not in _IDEMPOTENT:
        return set()
    out: set[int] = set()
    roots: list[ast.AST] = [site.scope]
    if isinstance(site.scope, ast.Module):
        # Only the module-level statements that name it (a walk of the whole module per fix
        # would make fixing a long script quadratic).
        body = site.scope.body
        starts = [s.lineno for s in body]
        lines = {u.lineno for u in name_uses(site.scope, name) if u.lineno > after_line}
        roots = [body[j] for j in sorted({bisect_right(starts, n) - 1 for n in lines}) if j >= 0]
    for stmt in (n for root in roots for n in walk(root)):
        if isinstance(stmt, ast.Expr) and stmt.lineno > after_line and _releases(site, stmt, name):
            out |= {id(n) for n in walk(stmt) if isinstance(n, ast.Name)}
    return out


def _rebinding(block: list[ast.stmt], i: int, name: str) -> int | None:
    """The first line of the statement after ``block[i]`` that plainly rebinds ``name``
    (`name = ...`, not reading it), if every statement before it falls through to it."""
    for stmt in block[i + 1 :]:
        rebinds = plain_rebinding(stmt, name)
        if rebinds is not None:
            # (None when the new value is built with the old one)
            return stmt.lineno if rebinds else None
        if any(isinstance(n, _JUMPS) for n in walk(stmt)):
            return None  # a path may leave before the rebinding, keeping the old value
    return None


_JUMPS = (ast.Return, ast.Break, ast.Continue, ast.Yield, ast.YieldFrom)


def _borrowing_use(site: LeakSite, use: ast.Name, parents: dict[ast.AST, ast.AST]) -> bool:
    """A use that only borrows the resource: a method call or attribute on it, a borrowing
    function (`json.load(f)`), iteration over it."""
    parent = parents.get(use)
    if isinstance(parent, ast.Attribute) and parent.value is use:
        # Releases are handled by the caller; `__exit__`/`detach` hand it out.
        return parent.attr not in site.rtype.release and parent.attr not in _HANDING

    if isinstance(parent, ast.keyword):
        parent = parents.get(parent)
    if isinstance(parent, ast.Call) and parent.func is not use:
        func = parent.func
        if isinstance(func, ast.Attribute) and func.attr in BORROWING_METHODS:
            return True
        return site.module.resolver.qualify(func) in BORROWERS
    return isinstance(parent, (ast.For, ast.AsyncFor, ast.comprehension)) and parent.iter is use


def wrap_in_with(site: LeakSite) -> Fix | None:
    """`f = open(p)` … `f.close()` → `with open(p) as f:` around the statements using it."""
    sem = site.with_semantics
    if not (sem.supports_with or sem.closing) or (sem.async_exit and not site.is_async):
        return None
    found = _acquiring_assign(site)
    if found is None or found.element:
        return None
    stmt, name, value = found.stmt, found.name, found.value
    if sem.awaited != (isinstance(value, ast.Await) and value.value is site.info.node):
        return None  # `with` needs the object, not the coroutine that makes it
    located = find_block(site.body, stmt)
    lines = site.lines
    if located is None or not own_line(lines, stmt) or in_nested_scope(site.scope, name):
        return None
    block, i = located
    if guards_in(block[i + 1 :], name):
        return None  # tested for None: `with None` would fail where the code returned
    # A name rebound here (`f = open(a)` … `f = open(b)`): at the function's top level the
    # statements before this one cannot see this resource (no loop brings them back).
    top = block is site.body
    # Rebound later in the same block (`log = open(a)` … `log = open(b)`): the program drops
    # this resource there, so the block may end right before; later uses are the new value's.
    cut = _rebinding(block, i, name)
    uses = [
        u
        for u in name_uses(site.scope, name)
        if u is not found.target
        and not (top and u.lineno < stmt.lineno)
        and not (cut is not None and u.lineno >= cut)
    ]
    # Values built from the resource (a reader, `f.write`, a generator over it) keep it in
    # use: the block covers theirs too, and none may leave the function.
    dep = (
        dependence(
            site.body,
            {name},
            site.module.resolver,
            named_while_open=name_matters(site.info.node, site.module.resolver),
        )
        if isinstance(site.info.node, ast.Call)
        else dependence(site.body, {name}, site.module.resolver)
    )
    if dep.escapes:
        return None
    derived = dep.derived()
    owned: Container[str] | None = (
        site.module.module_owned if isinstance(site.scope, ast.Module) else frozenset()
    )
    if owned is None or any(name in owned for name in derived):
        return None  # a function of the module reads a value built from it, at any time
    if isinstance(site.scope, ast.Module):
        derived_uses = [
            u
            for d in sorted(derived)
            for u in name_uses(site.scope, d)
            if isinstance(u.ctx, ast.Load)
        ]
    else:
        derived_uses = loads_of([site.scope], derived)
    last = _last_statement_using(block, i, [*uses, *derived_uses])
    if dep.pinned:
        # An flock on it is held until the program drops it, at the function's end.
        if block is not site.body:
            return None
        last = len(block) - 1
    inside = {id(n) for s in block[i + 1 : last + 1] for n in walk(s)}
    if any(id(u) not in inside for u in derived_uses):
        return None  # a value built from it is used outside the block
    # A release after the block (`f.close()` after the loop that opened f) may stay: closing
    # a closed file or socket again does nothing.
    after = _later_releases(site, name, block[last].end_lineno or block[last].lineno)
    if any(
        (id(u) not in inside and id(u) not in after) or not isinstance(u.ctx, ast.Load)
        for u in uses
    ):
        return None  # used outside the block, or rebound
    releases = [s for s in block[i + 1 : last + 1] if _releases(site, s, name)]
    # Only what `__exit__` does too can go; another release (`pop.quit()` under closing())
    # stays where it is, before the exit's own.
    removed = [s for s in releases if _release_name(s) in sem.exit_releases]
    leaving = _released_then_left(site, block[i + 1 : last + 1], name, sem)
    if leaving is None:
        return None
    removed += leaving
    if releases:
        # Only releases after every other use can go: code after a release may rely on
        # the object being closed, or reopen it (`smtp.quit()` … `smtp.connect()`).
        first_release = releases[0].lineno
        later = [u for u in uses if u.lineno > first_release and id(u) not in after]
        if any(
            not any(s.lineno <= u.lineno <= (s.end_lineno or s.lineno) for s in releases)
            for u in later
        ):
            return None
    parents = {c: p for s in block[i + 1 : last + 1] for p in walk(s) for c in children(p)}
    removed_ids = {id(n) for s in [*releases, *leaving] for n in walk(s)}
    # Registered and taken back in a `finally` (`log.addHandler(h)` … `log.removeHandler(h)`).
    removed_ids |= undone_registrations(block[i + 1 : last + 1], name)
    for u in uses:
        if id(u) in after:
            continue
        if id(u) not in removed_ids and not _borrowing_use(site, u, parents):
            return None
    covered = block[i + 1 : last + 1]
    keep = string_lines(lines, covered)
    if keep is None or any(not own_line(lines, s) for s in removed):
        return None
    indent = lines.indent(stmt.lineno)
    keyword = "async with" if sem.async_exit else "with"
    stmt_end = stmt.end_lineno or stmt.lineno
    imports: list[Edit] = []
    if not sem.enter_returns_self:
        # `as` would bind something else (a path): keep the assignment, `with` the name.
        header = [lines.text(n) for n in range(stmt.lineno, stmt_end + 1)]
        header.append(f"{indent}{keyword} {name}:")
    else:
        opener = f"{keyword} "
        if sem.closing:
            spelled = closing_spelling(site.module)
            if spelled is None:
                return None
            opener += f"{spelled[0]}("
            imports = spelled[1]
        value_span = lines.source.span(value)
        header = moved_expression(
            lines, stmt.lineno, stmt_end, value_span, len(indent) + len(opener)
        )
        header[0] = f"{indent}{opener}{header[0]}"
        header[-1] += f"{')' if sem.closing else ''} as {name}:{lines.trailing_comment(stmt)}"
    body: list[str] = []
    skip = {n for s in removed for n in range(s.lineno, (s.end_lineno or s.lineno) + 1)}
    end = (
        (covered[-1].end_lineno or covered[-1].lineno)
        if covered
        else stmt.end_lineno or stmt.lineno
    )
    first_body_line = (stmt.end_lineno or stmt.lineno) + 1
    for n in range(first_body_line, end + 1):
        if n not in skip:
            body += lines.reindented(n, n, lines.unit, keep)
    body = _without_leading_blanks(body)  # no blank line right after `with ...:`
    if not any(t.strip() and not t.strip().startswith("#") for t in body):
        body.append(indent + lines.unit + "pass")
    edit = lines.replace_lines(stmt.lineno, end, [*header, *body])
    what = f"`{expr_text(site.info.node.func)}()`"
    safe = not sem.exit_waits
    description = f"Open {what} in a `{keyword}` block"
    if sem.closing:
        description += " with `contextlib.closing`"
    if not safe:
        description += f" (unsafe: {sem.exit_waits})"
    return Fix(description, safe, (*imports, edit))


class _Refused(Exception):
    pass


def _released_then_left(
    site: LeakSite, stmts: list[ast.stmt], name: str, sem: WithSemantics
) -> list[ast.stmt] | None:
    """The releases of ``name`` nested in ``stmts`` (not at their top level), each followed at
    once by a `return` or `raise` that does not name it (`if found: f.close(); return x`):
    leaving the `with` block releases it at the same point, so they can go. None when a
    nested release is not so (the code goes on with it closed), or sits in a `try` or a
    `with` (a handler or an `__exit__` could go on after the jump)."""
    out: list[ast.stmt] = []

    def visit(block: list[ast.stmt], nested: bool, shielded: bool) -> None:
        for j, stmt in enumerate(block):
            if isinstance(stmt, _SCOPES):
                continue
            if nested and _releases(site, stmt, name):
                after = block[j + 1] if j + 1 < len(block) else None
                if (
                    shielded
                    or not isinstance(after, (ast.Return, ast.Raise))
                    or name_uses(after, name)
                    or _release_name(stmt) not in sem.exit_releases
                ):
                    raise _Refused
                out.append(stmt)
                continue
            inner = shielded or isinstance(stmt, _SHIELDS)
            for sub in sub_blocks(stmt):
                visit(sub, True, inner)

    try:
        visit(stmts, False, False)
    except _Refused:
        return None
    return out


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
_SHIELDS: tuple[type[ast.stmt], ...] = (ast.Try, ast.With, ast.AsyncWith) + (
    (ast.TryStar,) if hasattr(ast, "TryStar") else ()
)


def _without_leading_blanks(body: list[str]) -> list[str]:
    """A block's body without the blank lines that separated the acquisition from it."""
    start = next((i for i, t in enumerate(body) if t.strip()), len(body))
    return body[start:]


_QUIET_RELEASES = frozenset({"close", "aclose", "cleanup", "release", "detach"})


def _quiet_release(stmt: ast.stmt) -> bool:
    """A local release that does not talk to anyone (`close()`, `os.close(fd)`)."""
    call = statement_call(stmt)
    if call is None:
        return False
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return name in _QUIET_RELEASES


def release_in_finally(site: LeakSite) -> Fix | None:
    """`x = acquire()` … `release(x)` → the statements in between in `try`, the release in
    `finally`, under the guard the code keeps on `x` (`if x is not None:`), if any."""
    found = _acquiring_assign(site)
    if found is None:
        return None
    stmt, name = found.stmt, found.name
    located = find_block(site.body, stmt)
    lines = site.lines
    if located is None or not own_line(lines, stmt):
        return None
    block, i = located
    anchor: ast.stmt = stmt  # the `try` starts right after it

    def release_of(s: ast.stmt) -> ast.stmt | None:
        if _releases(site, s, name):
            return s
        inner = guarded_release(s, name)  # `if x is not None: x.close()`
        return inner if inner is not None and _releases(site, inner, name) else None

    k = next((j for j in range(i + 1, len(block)) if release_of(block[j]) is not None), None)
    if k is None and i == len(block) - 1:
        # The last statement of a `with` block (`with open(p) as f: m = mmap.mmap(f.fileno()
        # ...)`), released after it: the `try` starts after that block.
        outer = _enclosing_with(site.body, block)
        if outer is not None:
            block, i = outer
            anchor = block[i]
            k = next(
                (j for j in range(i + 1, len(block)) if release_of(block[j]) is not None), None
            )
            if k is None:
                return None
    if k is None:
        return _conditional_finally(site, found, block, i)
    if any(_stores(n, name) for s in block[i + 1 : k] for n in walk(s)):
        return None  # rebound in between: that release is of another value
    # `if not x: return` right after the acquisition stays before the `try`: past it the
    # resource is there, and on its path there is nothing to release.
    start = i + 1
    while start < k and leading_exit_guard(block[start], name):
        start += 1
    between = block[start:k]
    if not between:
        return None
    if _hands_on_within(between, name) or _derived_escapes(site, name, between):
        return None  # on some path it (or a value built from it) leaves: it must stay open
    release = block[k]
    guard = None
    if release_of(release) is release:
        guards = set(guards_in(between, name))
        if len(guards) > 1:
            return None
        guard = next(iter(guards), None)  # tested in between: it may be None here
    first = block[start].lineno if start > i + 1 else (anchor.end_lineno or anchor.lineno) + 1
    then = block[k + 1] if guard is None and k + 1 < len(block) else None
    if then is not None and not _waits_for_close(then, name):
        then = None
    return _try_finally(site, first, release, guard.spelled(name) if guard else None, then)


# Awaited after close() until the close is done (asyncio's stream writers and servers).
_CLOSE_WAITS = frozenset({"wait_closed"})


def _waits_for_close(stmt: ast.stmt, name: str) -> bool:
    """`await name.wait_closed()`: the end of the release just before it, moving with it."""
    call = statement_call(stmt)
    return (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Await)
        and call is not None
        and not call.args
        and not call.keywords
        and isinstance(call.func, ast.Attribute)
        and call.func.attr in _CLOSE_WAITS
        and isinstance(call.func.value, ast.Name)
        and call.func.value.id == name
    )


def _enclosing_with(
    body: list[ast.stmt], block: list[ast.stmt]
) -> tuple[list[ast.stmt], int] | None:
    """The statement list holding the `with` statement whose body is ``block``, and its index
    there (not looking into nested scopes)."""
    for i, stmt in enumerate(body):
        if isinstance(stmt, _SCOPES):
            continue
        if isinstance(stmt, (ast.With, ast.AsyncWith)) and stmt.body is block:
            return body, i
        for sub in sub_blocks(stmt):
            found = _enclosing_with(sub, block)
            if found is not None:
                return found
    return None


def _conditional_finally(
    site: LeakSite, found: Acquiring, block: list[ast.stmt], i: int
) -> Fix | None:
    """`if C: x.close()` after the acquisition, `C` no guard on `x` (see fixes/conditional.py):
    unconditional in `finally` when `x` was acquired in the same block, kept as it is when `x`
    was acquired in a branch of an `if` before it (`C` then says whether it is ours)."""
    name = found.name

    def released(s: ast.stmt) -> bool:
        return _releases(site, s, name)

    k = next(
        (j for j in range(i + 1, len(block)) if conditional_release(block[j], name, released)),
        None,
    )
    if k is not None:
        # Acquired unconditionally: the release goes in `finally`, its condition goes.
        between = block[i + 1 : k]
        release = block[k]
        if block is not site.body or not between or not own_line(site.lines, found.stmt):
            return None
        if stores(between, {name}) or _hands_on_within(between, name):
            return None
        dep = dependence(
            site.body,
            {name},
            site.module.resolver,
            named_while_open=name_matters(site.info.node, site.module.resolver),
        )
        if dep.pinned or any(
            id(e.node) in {id(n) for s in between for n in walk(s)} for e in dep.escapes
        ):
            return None
        end = release.end_lineno or release.lineno
        names = dep.dependent()
        if any(u.lineno > end for u in loads_of(site.body, names)):
            return None  # used after it: on the other path the program goes on with it open
        first = (found.stmt.end_lineno or found.stmt.lineno) + 1
        return _try_finally(site, first, release, unguarded=True)
    # Acquired in a branch of an `if`: the release keeps its condition, after that `if`.
    outer = enclosing_if(site.body, block)
    if outer is None:
        return None
    body, j = outer
    branch = body[j]
    assert isinstance(branch, ast.If)
    k = next(
        (
            m
            for m in range(j + 1, len(body))
            if conditional_release(body[m], name, released)
            or (guarded_release(body[m], name) is not None and released(body[m].body[0]))  # type: ignore[attr-defined]
        ),
        None,
    )
    if k is None or k == j + 1:
        return None
    between, release = body[j + 1 : k], body[k]
    assert isinstance(release, ast.If)
    test_names = condition_names(release.test) - {name}
    params = (
        {a.arg for a in walk(site.scope) if isinstance(a, ast.arg)}
        if not isinstance(site.scope, ast.Module)
        else set()
    )
    if stores(between, {name} | test_names) or not bound_on_every_branch(
        branch, body[:j], params, test_names
    ):
        return None
    if _hands_on_within(between, name) or _derived_escapes(site, name, between):
        return None
    return _try_finally(site, body[j + 1].lineno, release)


def _stores(node: ast.AST, name: str) -> bool:
    return (
        isinstance(node, ast.Name)
        and node.id == name
        and isinstance(node.ctx, (ast.Store, ast.Del))
    )


def _hands_on_within(stmts: list[ast.stmt], name: str) -> bool:
    """The resource leaves on some path through ``stmts`` (returned, yielded, stored, or
    registered where an exception would leave it registered: `log.addHandler(h)` not undone
    in a `finally`)."""
    return any(
        isinstance(node, ast.stmt) and _hands_on(node, name) for s in stmts for node in walk(s)
    ) or bool(registered(stmts, name) - undone_registrations(stmts, name))


def _derived_escapes(site: LeakSite, name: str, stmts: list[ast.stmt]) -> bool:
    """A value built from the resource (a generator over it, a reader) leaves the function
    from ``stmts``: a `finally` would close it under that value."""
    dep = dependence(site.body, {name}, site.module.resolver)
    inside = {id(n) for s in stmts for n in walk(s)}
    return any(id(e.node) in inside for e in dep.escapes)


def _try_finally(
    site: LeakSite,
    first: int,
    release: ast.stmt,
    guard: str | None = None,
    then: ast.stmt | None = None,
    unguarded: bool = False,
) -> Fix | None:
    """Lines ``first`` up to ``release`` in `try`, ``release`` in `finally` (under
    ``guard``, an `if` header, when given), up to ``then`` (`await w.wait_closed()`) if
    given."""
    lines = site.lines
    located = find_block(site.body, release)
    if located is None:
        return None
    block, k = located
    between = [s for s in block[:k] if s.lineno >= first]
    keep = string_lines(lines, [*between, release, *([then] if then else [])])
    if not between or not own_line(lines, release) or keep is None:
        return None
    if then is not None and not own_line(lines, then):
        then = None
    last = (then or release).end_lineno or (then or release).lineno
    indent = lines.indent(release.lineno)
    before_release = release.lineno - 1
    # Blank lines after the acquisition stay before `try:`, not at the top of its block.
    start = first + lines.blank_lines_from(first, before_release)
    # Nor do those before the release stay at the end of it, right above `finally:`.
    end = before_release
    while end > start and not lines.text(end).strip():
        end -= 1
    new = [lines.text(n) for n in range(first, start)] + [f"{indent}try:"]
    new += lines.reindented(start, end, lines.unit, keep)
    new.append(f"{indent}finally:")
    extra = lines.unit
    if guard is not None:
        new.append(f"{indent}{lines.unit}{guard}")
        extra += lines.unit
    inner = release.body[0] if isinstance(release, ast.If) else release
    if unguarded:
        # `if C: x.close()` → `x.close()`, already indented one step deeper than `finally`.
        if not own_line(lines, inner):
            return None
        new += lines.reindented(inner.lineno, last, "", keep)
    else:
        new += lines.reindented(release.lineno, last, extra, keep)
    edit = lines.replace_lines(first, last, new)
    text = lines.segment(inner).strip()
    if _quiet_release(inner):
        return Fix(f"Release in a `finally` block ({text})", True, (edit,))
    # quit(), logout(), communicate() talk to the other side: in `finally` they also run
    # after a failure, and if they fail too the first error is hidden.
    return Fix(
        f"Release in a `finally` block ({text}; unsafe: it now also runs after an error)",
        False,
        (edit,),
    )


def hoist_inline(site: LeakSite) -> Fix | None:
    """`data = json.load(open(p))` → `with open(p) as f:` / `data = json.load(f)`."""
    rtype = site.rtype
    call = site.info.node
    sem = site.with_semantics
    if not sem.supports_with or not sem.enter_returns_self or sem.awaited or sem.async_exit:
        return None
    if site.info.site[2] != -1:
        return None  # one element of a returned tuple (`conn, addr = s.accept()`)
    stmt = statement_of(site.body, call)
    lines = site.lines
    if stmt is None or not own_line(lines, stmt):
        return None
    simple = (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Expr, ast.Return)
    if isinstance(stmt, (ast.For, ast.AsyncFor)):
        if stmt.iter is not call:
            return None
    elif (
        not isinstance(stmt, simple)
        or not _hoistable(stmt, call)
        or _keeps_inline(stmt, call, site)
    ):
        return None
    if multiline_strings([stmt]) or isinstance(site.scope, ast.ClassDef):
        return None  # in a class body, the new name would be a new class attribute
    taken = used_names(site.scope) | bound_names(site.scope)
    name = fresh_name(_NAMES.get(rtype.name, "res"), taken)
    indent = lines.indent(stmt.lineno)
    call_span = lines.source.span(call)
    first, last = stmt.lineno, stmt.end_lineno or stmt.lineno
    # The call moves into the header; the statement keeps the name in its place. Lines
    # aligned with a bracket of either move with it.
    header = moved_expression(lines, first, last, call_span, len(indent) + len("with "))
    header[0] = f"{indent}with {header[0]}"
    if isinstance(stmt, ast.Expr) and stmt.value is call:
        # Dropped at once (`make_report(p)` as a statement): nothing uses it in the block.
        header[-1] += f":{lines.trailing_comment(stmt)}"
        body = [f"{indent}{lines.unit}pass"]
    else:
        header[-1] += f" as {name}:"
        body = replaced_in_statement(lines, first, last, call_span, name, lines.unit)
    edit = lines.replace_lines(first, last, [*header, *body])
    description = f"Open `{expr_text(call.func)}()` in a `with` block"
    if sem.exit_waits:
        return Fix(f"{description} (unsafe: {sem.exit_waits})", False, (edit,))
    return Fix(description, True, (edit,))


def _keeps_inline(stmt: ast.stmt, call: ast.Call, site: LeakSite) -> bool:
    """The statement keeps a value built from the inline resource (`rows =
    csv.reader(open(p))`, `return (l for l in open(p))`): the `with` would close it under
    that value."""
    value = getattr(stmt, "value", None)
    if isinstance(stmt, ast.Expr) and value is call:
        return False  # dropped at once: nothing keeps it
    return value is not None and inline_strength(value, call, site.module.resolver) > Strength.NONE


_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def _path_to(node: ast.AST, target: ast.AST) -> list[tuple[ast.AST, ast.AST]] | None:
    """The (parent, child) steps from `node` down to `target`."""
    for child in children(node):
        if child is target:
            return [(node, child)]
        below = _path_to(child, target)
        if below is not None:
            return [(node, child), *below]
    return None


def _runs_first(parent: ast.AST, child: ast.AST) -> bool:
    """Whether `child` is evaluated, unconditionally, when `parent` is (and not later, in
    another scope or only on some paths)."""
    if isinstance(parent, ast.Lambda):
        return False  # runs when called, if ever
    if isinstance(parent, _COMPREHENSIONS):
        return child is parent.generators[0]  # only the first iterable runs in this scope
    if isinstance(parent, ast.comprehension):
        return child is parent.iter
    if isinstance(parent, ast.IfExp):
        return child is parent.test
    if isinstance(parent, ast.BoolOp):
        return child is parent.values[0]
    if isinstance(parent, ast.Compare):
        return child is parent.left or child is parent.comparators[0]  # chains short-circuit
    return True


def _evaluated_before(parent: ast.AST, child: ast.AST) -> list[ast.AST]:
    """The parts of `parent` that are evaluated before `child`."""
    if isinstance(parent, (ast.Assign, ast.AnnAssign, *_COMPREHENSIONS)):
        return []  # the value runs before the targets; the first iterable before the rest
    if isinstance(parent, ast.Dict):
        order: list[ast.AST] = []
        for key, value in zip(parent.keys, parent.values, strict=True):
            order += [key, value] if key is not None else [value]
    else:
        order = list(children(parent))
    return order[: next((k for k, n in enumerate(order) if n is child), 0)]


def _hoistable(stmt: ast.stmt, call: ast.Call) -> bool:
    """The acquisition runs unconditionally and before anything else with an effect in its
    statement (only the names and attributes it is called on come first), so evaluating it
    first, in a `with` header, changes no order of effects and runs nothing that did not
    run before."""
    path = _path_to(stmt, call)
    if path is None:
        return False
    if any(isinstance(n, (ast.Yield, ast.YieldFrom, ast.NamedExpr)) for n in walk(stmt)):
        return False
    for parent, child in path:
        if not _runs_first(parent, child):
            return False
        for before in _evaluated_before(parent, child):
            if any(isinstance(n, (ast.Call, ast.Await)) for n in walk(before)):
                return False
    return True


def lock_with(site: LeakSite) -> Fix | None:
    """`lock.acquire()` … `lock.release()` → `with lock:`."""
    call = site.info.node
    stmt = statement_of(site.body, call)
    key = site.info.lock_key
    lines = site.lines
    if (
        key is None
        or not isinstance(stmt, ast.Expr)
        or stmt.value is not call
        or call.args
        or call.keywords
        or not own_line(lines, stmt)
    ):
        return None
    located = find_block(site.body, stmt)
    if located is None:
        return None
    block, i = located

    def is_release(s: ast.stmt) -> bool:
        c = statement_call(s)
        return (
            isinstance(c, ast.Call)
            and isinstance(c.func, ast.Attribute)
            and c.func.attr == "release"
            and expr_text(c.func.value) == key
        )

    k = next((j for j in range(i + 1, len(block)) if is_release(block[j])), None)
    if k is None or k == i + 1:
        return None
    release, between = block[k], block[i + 1 : k]
    text = "".join(lines.segment(s) for s in between)
    keep = string_lines(lines, between)
    if f"{key}.acquire" in text or f"{key}.release" in text or keep is None:
        return None
    if not own_line(lines, release):
        return None
    indent = lines.indent(stmt.lineno)
    new = [f"{indent}with {key}:"]
    new += _without_leading_blanks(
        lines.reindented((stmt.end_lineno or stmt.lineno) + 1, release.lineno - 1, lines.unit, keep)
    )
    edit = lines.replace_lines(stmt.lineno, release.end_lineno or release.lineno, new)
    jumps = [
        n.lineno
        for s in between
        for n in walk(s)
        if isinstance(n, (ast.Return, ast.Break, ast.Continue, ast.Yield, ast.YieldFrom))
    ]
    if jumps:
        # The code may leave with the lock held on purpose (a barrier, a handover).
        return Fix(
            f"Hold `{key}` in a `with` block (unsafe: the `with` also releases it at line "
            f"{jumps[0]}, which leaves it held today)",
            False,
            (edit,),
        )
    return Fix(f"Hold `{key}` in a `with` block", True, (edit,))


def release_on_error(site: LeakSite) -> Fix | None:
    """`s = socket.socket()` … `return s` → the statements in between in `try`, and
    `except BaseException: s.close(); raise`: released if they fail, handed on otherwise."""
    rtype = site.rtype
    found = _acquiring_assign(site)
    if found is None or rtype.exit_waits or rtype.async_release:
        return None
    stmt, name = found.stmt, found.name
    located = find_block(site.body, stmt)
    lines = site.lines
    if located is None or not own_line(lines, stmt):
        return None
    block, i = located
    k = next(
        (
            j
            for j in range(i + 1, len(block))
            if _hands_on(block[j], name, site) or _returned_to_owner(block[j], name, site)
        ),
        None,
    )
    if k is None or k == i + 1:
        return None
    between = block[i + 1 : k]
    keep = string_lines(lines, between)
    if keep is None or any(_hands_on(s, name) for s in between):
        return None
    parents = {c: p for s in between for p in walk(s) for c in children(p)}
    if not all(_borrowing_use(site, u, parents) for s in between for u in name_uses(s, name)):
        return None  # something in between may keep it: closing it on error could be wrong
    release = _release_text(site, name)
    if release is None:
        return None
    indent = lines.indent(stmt.lineno)
    first = (stmt.end_lineno or stmt.lineno) + 1
    last = between[-1].end_lineno or between[-1].lineno
    start = first + lines.blank_lines_from(first, last)  # blank lines stay before `try:`
    new = [lines.text(n) for n in range(first, start)] + [f"{indent}try:"]
    new += lines.reindented(start, last, lines.unit, keep)
    new += [f"{indent}except BaseException:", f"{indent}{lines.unit}{release}"]
    new.append(f"{indent}{lines.unit}raise")
    edit = lines.replace_lines(first, last, new)
    return Fix(f"Release `{name}` if a statement before it is handed on fails", True, (edit,))


def _hands_on(stmt: ast.stmt, name: str, site: LeakSite | None = None) -> bool:
    """`return name` / `self.x = name` / `yield name`: ownership leaves the function here
    (also `return typing.cast(T, name)`, when ``site`` is given to resolve the cast)."""
    value = getattr(stmt, "value", None)
    if isinstance(stmt, ast.Return) or (
        isinstance(stmt, ast.Expr) and isinstance(value, ast.Yield)
    ):
        inner = value.value if isinstance(value, ast.Yield) else value
        if site is not None and inner is not None:
            inner = site.module.resolver.uncast(inner)
        return isinstance(inner, (ast.Name, ast.Tuple)) and bool(name_uses(inner, name))
    if isinstance(stmt, ast.Assign) and isinstance(value, ast.Name) and value.id == name:
        return all(isinstance(t, (ast.Attribute, ast.Subscript)) for t in stmt.targets)
    return False


def _returned_to_owner(stmt: ast.stmt, name: str, site: LeakSite) -> bool:
    """`return Wrapper(name)`: handed to a call whose result is returned, not one known to
    only borrow it (`os.read(fd, n)`). Closing it when a statement before fails is right
    whether or not the call keeps it: it was about to be dropped (and if the call does not
    keep it, the fix's own check finds the leak left)."""
    if not isinstance(stmt, ast.Return) or not isinstance(stmt.value, ast.Call):
        return False
    call = stmt.value
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in BORROWING_METHODS:
        return False
    qual = (
        site.module.resolver.qualify(func) if isinstance(func, (ast.Name, ast.Attribute)) else None
    )
    if qual in BORROWERS or qual in PLAIN_FUNCTIONS:
        return False
    args = [*call.args, *(k.value for k in call.keywords)]
    return any(isinstance(a, ast.Name) and a.id == name for a in args)


def _release_text(site: LeakSite, name: str) -> str | None:
    rtype = site.rtype
    if "close" in rtype.release:
        return f"{name}.close()"
    for qual in sorted(rtype.release_functions):
        module, _, func = qual.rpartition(".")
        for local, target in site.module.resolver.imports.items():
            if target == module:
                return f"{local}.{func}({name})"
    # Not a method that releases only once its work succeeds (calling it on an error path
    # is no cleanup), nor a private helper that reaches the release on some path.
    methods = sorted(m for m in rtype.release if m not in rtype.release_on_return)
    public = [m for m in methods if not m.startswith("_")]
    return f"{name}.{(public or methods)[0]}()" if methods else None


def leak_fix(context: LeakContext) -> Fix | None:
    """The best fix for a leak finding (UL101, UL102, UL105, UL107)."""
    site = LeakSite(context)
    if site.info.lock_key is not None:
        return lock_with(site)
    if _acquiring_assign(site) is None:
        return hoist_inline(site)
    return wrap_in_with(site) or release_in_finally(site) or release_on_error(site)
