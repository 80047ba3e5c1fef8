"""Fixes that restructure a block: wrap in `with`, hoist an inline use into `with`, release
in `finally`, and `with lock:` for acquire/release pairs.

Every builder checks the conditions under which its rewrite changes nothing but the release
of the resource, and returns None when they do not hold.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from unleak.catalogue import BORROWERS, BORROWING_METHODS, ResourceType
from unleak.findings.model import Fix
from unleak.fixes.rewrite import (
    Lines,
    find_block,
    fresh_name,
    in_nested_scope,
    lines_of,
    multiline_strings,
    name_uses,
    own_line,
    statement_of,
    used_names,
)
from unleak.fixes.rewrite_align import moved_expression, replaced_in_statement
from unleak.flow.derived import Strength, dependence, inline_strength, loads_of, name_matters
from unleak.flow.effects import SiteInfo
from unleak.names.resolver import statement_call
from unleak.names.text import expr_text

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


def _acquiring_assign(site: LeakSite) -> tuple[ast.Assign, str] | None:
    if site.info.site[2] != -1:
        return None  # one element of a returned tuple (`conn, addr = s.accept()`)
    stmt = statement_of(site.body, site.info.node)
    if (
        isinstance(stmt, ast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], ast.Name)
        and stmt.value is site.info.node
    ):
        return stmt, stmt.targets[0].id
    return None


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


_IDEMPOTENT = frozenset(
    {"file", "socket", "archive", "response", "sqlite", "connection", "selector"}
)


def _later_releases(site: LeakSite, name: str, after_line: int) -> set[int]:
    """Name nodes of `name.close()` statements after `after_line`, for types whose release
    can safely run twice."""
    if site.rtype.name not in _IDEMPOTENT:
        return set()
    out: set[int] = set()
    for stmt in ast.walk(site.scope):
        if isinstance(stmt, ast.Expr) and stmt.lineno > after_line and _releases(site, stmt, name):
            out |= {id(n) for n in ast.walk(stmt) if isinstance(n, ast.Name)}
    return out


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
    rtype = site.rtype
    if not (rtype.supports_with and rtype.with_releases) or (
        rtype.async_release and not site.is_async
    ):
        return None
    found = _acquiring_assign(site)
    if found is None:
        return None
    stmt, name = found
    located = find_block(site.body, stmt)
    lines = site.lines
    if located is None or not own_line(lines, stmt) or in_nested_scope(site.scope, name):
        return None
    block, i = located
    uses = [u for u in name_uses(site.scope, name) if u is not stmt.targets[0]]
    # Values built from the resource (a reader, `f.write`, a generator over it) keep it in
    # use: the block covers theirs too, and none may leave the function.
    dep = (
        dependence(
            site.body,
            {name},
            site.module.resolver,
            named_while_open=name_matters(stmt.value, site.module.resolver),
        )
        if isinstance(stmt.value, ast.Call)
        else dependence(site.body, {name}, site.module.resolver)
    )
    if dep.escapes:
        return None
    derived = dep.derived()
    derived_uses = loads_of([site.scope], derived)
    last = i
    for j in range(i + 1, len(block)):
        if name_uses(block[j], name) or loads_of([block[j]], derived):
            last = j
    if dep.pinned:
        # An flock on it is held until the program drops it, at the function's end.
        if block is not site.body:
            return None
        last = len(block) - 1
    inside = {id(n) for s in block[i + 1 : last + 1] for n in ast.walk(s)}
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
    removed = [s for s in block[i + 1 : last + 1] if _releases(site, s, name)]
    if removed:
        # Only releases after every other use can go: code after a release may rely on
        # the object being closed, or reopen it (`smtp.quit()` … `smtp.connect()`).
        first_release = removed[0].lineno
        later = [u for u in uses if u.lineno > first_release and id(u) not in after]
        if any(
            not any(s.lineno <= u.lineno <= (s.end_lineno or s.lineno) for s in removed)
            for u in later
        ):
            return None
    parents = {
        c: p for s in block[i + 1 : last + 1] for p in ast.walk(s) for c in ast.iter_child_nodes(p)
    }
    removed_ids = {id(n) for s in removed for n in ast.walk(s)}
    for u in uses:
        if id(u) in after:
            continue
        if id(u) not in removed_ids and not _borrowing_use(site, u, parents):
            return None
    covered = block[i + 1 : last + 1]
    if multiline_strings(covered) or any(not own_line(lines, s) for s in removed):
        return None
    indent = lines.indent(stmt.lineno)
    keyword = "async with" if rtype.async_release else "with"
    value_span = lines.source.span(stmt.value)
    stmt_end = stmt.end_lineno or stmt.lineno
    header = moved_expression(
        lines, stmt.lineno, stmt_end, value_span, len(indent) + len(keyword) + 1
    )
    header[0] = f"{indent}{keyword} {header[0]}"
    header[-1] += f" as {name}:{lines.trailing_comment(stmt)}"
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
            body += lines.reindented(n, n, lines.unit)
    if not any(t.strip() and not t.strip().startswith("#") for t in body):
        body.append(indent + lines.unit + "pass")
    edit = lines.replace_lines(stmt.lineno, end, [*header, *body])
    what = f"`{expr_text(stmt.value.func)}()`" if isinstance(stmt.value, ast.Call) else "it"
    safe = not rtype.exit_waits
    description = f"Open {what} in a `{keyword}` block"
    if not safe:
        description += f" (unsafe: {rtype.exit_waits})"
    return Fix(description, safe, (edit,))


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
    `finally`."""
    found = _acquiring_assign(site)
    if found is None:
        return None
    stmt, name = found
    return _try_finally(site, stmt, lambda s: _releases(site, s, name))


def _try_finally(
    site: LeakSite, stmt: ast.stmt, is_release: Callable[[ast.stmt], bool]
) -> Fix | None:
    located = find_block(site.body, stmt)
    lines = site.lines
    if located is None or not own_line(lines, stmt):
        return None
    block, i = located
    k = next((j for j in range(i + 1, len(block)) if is_release(block[j])), None)
    if k is None or k == i + 1:
        return None
    release = block[k]
    between = block[i + 1 : k]
    if not own_line(lines, release) or multiline_strings(between):
        return None
    indent = lines.indent(stmt.lineno)
    first = (stmt.end_lineno or stmt.lineno) + 1
    before_release = release.lineno - 1
    # Blank lines after the acquisition stay before `try:`, not at the top of its block.
    start = first + lines.blank_lines_from(first, before_release)
    new = [lines.text(n) for n in range(first, start)] + [f"{indent}try:"]
    new += lines.reindented(start, before_release, lines.unit)
    new.append(f"{indent}finally:")
    new += lines.reindented(release.lineno, release.end_lineno or release.lineno, lines.unit)
    edit = lines.replace_lines(first, release.end_lineno or release.lineno, new)
    text = lines.segment(release).strip()
    if _quiet_release(release):
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
    if not (rtype.supports_with and rtype.with_releases) or (
        rtype.async_release and not site.is_async
    ):
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
    if multiline_strings([stmt]):
        return None
    name = fresh_name(_NAMES.get(rtype.name, "res"), used_names(site.scope))
    indent = lines.indent(stmt.lineno)
    call_span = lines.source.span(call)
    first, last = stmt.lineno, stmt.end_lineno or stmt.lineno
    # The call moves into the header; the statement keeps the name in its place. Lines
    # aligned with a bracket of either move with it.
    header = moved_expression(lines, first, last, call_span, len(indent) + len("with "))
    header[0] = f"{indent}with {header[0]}"
    header[-1] += f" as {name}:"
    body = replaced_in_statement(lines, first, last, call_span, name, lines.unit)
    edit = lines.replace_lines(first, last, [*header, *body])
    return Fix(f"Open `{expr_text(call.func)}()` in a `with` block", True, (edit,))


def _keeps_inline(stmt: ast.stmt, call: ast.Call, site: LeakSite) -> bool:
    """The statement keeps a value built from the inline resource (`rows =
    csv.reader(open(p))`, `return (l for l in open(p))`): the `with` would close it under
    that value."""
    value = getattr(stmt, "value", None)
    return value is not None and inline_strength(value, call, site.module.resolver) > Strength.NONE


def _hoistable(stmt: ast.stmt, call: ast.Call) -> bool:
    """Only the acquisition, its arguments, and calls enclosing it run in the statement, so
    evaluating the acquisition first changes no order of side effects."""
    inner = {id(n) for n in ast.walk(call)}
    ancestors: set[int] = set()

    def mark(node: ast.AST) -> bool:
        if node is call:
            return True
        hit = any(mark(c) for c in ast.iter_child_nodes(node))
        if hit:
            ancestors.add(id(node))
        return hit

    mark(stmt)
    for n in ast.walk(stmt):
        if isinstance(n, (ast.Yield, ast.YieldFrom, ast.NamedExpr, ast.Lambda)):
            return False
        if isinstance(n, (ast.Call, ast.Await)) and id(n) not in inner and id(n) not in ancestors:
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
    if f"{key}.acquire" in text or f"{key}.release" in text or multiline_strings(between):
        return None
    if not own_line(lines, release):
        return None
    indent = lines.indent(stmt.lineno)
    new = [f"{indent}with {key}:"]
    new += lines.reindented((stmt.end_lineno or stmt.lineno) + 1, release.lineno - 1, lines.unit)
    edit = lines.replace_lines(stmt.lineno, release.end_lineno or release.lineno, new)
    jumps = [
        n.lineno
        for s in between
        for n in ast.walk(s)
        if isinstance(n, (ast.Return, ast.Break, ast.Continue, ast.Yield, ast.YieldFrom))
    ]
    if jumps:
        # The code may leave with the lock held on purpose (a barrier, a handover).
        return Fix(
            f"Hold `{key}` in a `with` block (unsafe: also releases it when leaving at line "
            f"{jumps[0]}, where the lock is now kept held)",
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
    stmt, name = found
    located = find_block(site.body, stmt)
    lines = site.lines
    if located is None or not own_line(lines, stmt):
        return None
    block, i = located
    k = next((j for j in range(i + 1, len(block)) if _hands_on(block[j], name)), None)
    if k is None or k == i + 1:
        return None
    between = block[i + 1 : k]
    if multiline_strings(between) or any(_hands_on(s, name) for s in between):
        return None
    parents = {c: p for s in between for p in ast.walk(s) for c in ast.iter_child_nodes(p)}
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
    new += lines.reindented(start, last, lines.unit)
    new += [f"{indent}except BaseException:", f"{indent}{lines.unit}{release}"]
    new.append(f"{indent}{lines.unit}raise")
    edit = lines.replace_lines(first, last, new)
    return Fix(f"Release `{name}` if a statement before it is handed on fails", True, (edit,))


def _hands_on(stmt: ast.stmt, name: str) -> bool:
    """`return name` / `self.x = name` / `yield name`: ownership leaves the function here."""
    value = getattr(stmt, "value", None)
    if isinstance(stmt, ast.Return) or (
        isinstance(stmt, ast.Expr) and isinstance(value, ast.Yield)
    ):
        inner = value.value if isinstance(value, ast.Yield) else value
        return isinstance(inner, (ast.Name, ast.Tuple)) and bool(name_uses(inner, name))
    if isinstance(stmt, ast.Assign) and isinstance(value, ast.Name) and value.id == name:
        return all(isinstance(t, (ast.Attribute, ast.Subscript)) for t in stmt.targets)
    return False


def _release_text(site: LeakSite, name: str) -> str | None:
    rtype = site.rtype
    if "close" in rtype.release:
        return f"{name}.close()"
    for qual in sorted(rtype.release_functions):
        module, _, func = qual.rpartition(".")
        for local, target in site.module.resolver.imports.items():
            if target == module:
                return f"{local}.{func}({name})"
    return f"{name}.{sorted(rtype.release)[0]}()" if rtype.release else None


def leak_fix(context: LeakContext) -> Fix | None:
    """The best fix for a leak finding (UL101, UL102, UL105, UL107)."""
    site = LeakSite(context)
    if site.info.lock_key is not None:
        return lock_with(site)
    if _acquiring_assign(site) is None:
        return hoist_inline(site)
    return wrap_in_with(site) or release_in_finally(site) or release_on_error(site)
