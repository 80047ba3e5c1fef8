"""Lock findings that are not leaks: a lock handed from one method to a sibling
(`acquire()` in `enter()`, `release()` in `leave()` of the same class, by design), and
`acquire()` on an object built by a known constructor that is not a lock."""

from __future__ import annotations

import ast
import itertools
from collections.abc import Callable

from unleak.catalogue import LOCKS
from unleak.names.text import expr_text
from unleak.source.walk import walk


def released_by_sibling(cls: ast.ClassDef, method: ast.AST, lock_key: str) -> bool:
    """Whether another method of ``cls`` releases `self.<lock>` without acquiring it."""
    if not lock_key.startswith("self."):
        return False
    name = getattr(method, "name", None)
    for stmt in cls.body:
        # Not the method itself, nor an earlier definition of it (an editor analysing an
        # edited method alone has the class as it was, with the method's old text).
        if (
            stmt is method
            or not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef))
            or stmt.name == name
        ):
            continue
        releases = acquires = False
        for n in walk(stmt):
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute):
                if expr_text(n.func.value) != lock_key:
                    continue
                if n.func.attr == LOCKS.release:
                    releases = True
                elif n.func.attr == LOCKS.acquire:
                    acquires = True
            elif isinstance(n, ast.withitem) and expr_text(n.context_expr) == lock_key:
                acquires = True
        if releases and not acquires:
            return True
    return False


def recorded_held(function: ast.AST, lock_key: str) -> bool:
    """Whether ``function`` records on the instance that it holds the lock, in the statement
    right after `acquire()` (`self._commit_lock.acquire(); self.locked = True`): whoever
    reads the flag releases it (ZODB's `FileStoragePacker.pack` returns holding the commit
    lock, which `FileStorage.pack` releases in its `finally`)."""
    for node in walk(function):
        for name in ("body", "orelse", "finalbody"):
            stmts = getattr(node, name, None)
            if not isinstance(stmts, list):
                continue
            for first, second in itertools.pairwise(stmts):
                if _acquires(first, lock_key) and _flags_lock_held(second):
                    return True
    return False


def _acquires(stmt: ast.stmt, lock_key: str) -> bool:
    call = stmt.value if isinstance(stmt, ast.Expr) else None
    return (
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Attribute)
        and call.func.attr == LOCKS.acquire
        and expr_text(call.func.value) == lock_key
    )


def _flags_lock_held(stmt: ast.stmt) -> bool:
    """`self.locked = True`, `self._have_lock = True`: a flag on `self` named for a lock."""
    if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1):
        return False
    target = stmt.targets[0]
    return (
        isinstance(stmt.value, ast.Constant)
        and stmt.value.value is True
        and isinstance(target, ast.Attribute)
        and isinstance(target.value, ast.Name)
        and target.value.id == "self"
        and "lock" in target.attr.lower()
    )


def known_not_a_lock(
    scopes: list[ast.AST], lock_key: str, qualify: Callable[[ast.expr], str | None]
) -> bool:
    """Whether every assignment of ``lock_key`` in ``scopes`` (the class's methods, or the
    function) is a call to a known constructor that is not a lock: Twisted's
    `DeferredLock().acquire()` returns a Deferred, and its release is a callback."""
    values = [
        n.value
        for scope in scopes
        for n in walk(scope)
        if isinstance(n, ast.Assign) and any(expr_text(t) == lock_key for t in n.targets)
    ]
    if not values:
        return False
    for value in values:
        if not isinstance(value, ast.Call):
            return False
        qual = qualify(value.func)
        if qual is None or qual in LOCKS.constructors:
            return False
    return True


def lock_context(cls: ast.ClassDef) -> tuple[object, ...]:
    """What the two checks above read of a class besides the method analysed: per method,
    the receivers it acquires and releases, and the calls assigned to `self` attributes.
    A cached result of one method is good only while this stays the same."""
    out: list[object] = []
    for stmt in cls.body:
        if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        uses = {use for use in _lock_uses(stmt) if use[0] != "="}  # calls assigned only
        if uses:  # a method without any plays no part in either check (nor does its name)
            out.append((stmt.name, tuple(sorted(uses))))
    return tuple(out)


def lock_receivers(cls: ast.ClassDef) -> frozenset[str]:
    """What the class's methods call `acquire()` on: the locks whose findings the checks
    above may change."""
    return frozenset(
        expr_text(n.func.value)
        for stmt in cls.body
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef))
        for n in walk(stmt)
        if isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and n.func.attr == LOCKS.acquire
    )


def method_lock_reads(
    method: ast.FunctionDef | ast.AsyncFunctionDef, receivers: frozenset[str]
) -> tuple[tuple[str, str], ...]:
    """What the checks above read of ``method`` when they judge a sibling's lock, one of
    ``receivers``: whether it acquires (`with` too) or releases it, and what it assigns to
    it."""
    return tuple(sorted(use for use in _lock_uses(method) if use[1] in receivers))


def _lock_uses(method: ast.AST) -> set[tuple[str, str]]:
    """(how, receiver) for what a method acquires, releases or enters with `with`, and
    ("=" + the callee, or "=" for any other value, target) for each assignment."""
    found: set[tuple[str, str]] = set()
    for n in walk(method):
        if (
            isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute)
            and n.func.attr in (LOCKS.acquire, LOCKS.release)
        ):
            found.add((n.func.attr, expr_text(n.func.value)))
        elif isinstance(n, ast.withitem):
            found.add(("with", expr_text(n.context_expr)))
        elif isinstance(n, ast.Assign):
            value = expr_text(n.value.func) if isinstance(n.value, ast.Call) else ""
            found.update(("=" + value, expr_text(t)) for t in n.targets)
    return found
