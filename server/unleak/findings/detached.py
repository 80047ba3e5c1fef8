"""Processes started to outlive their parent: a daemon detached on purpose is not a
forgotten wait.

(Resources that hold nothing until a method opens them, such as an `HTTPConnection` never
connected, are handled by the flow analysis itself: `ownership.State.empty`.)
"""

from __future__ import annotations

import ast

from unleak.flow.effects import SiteInfo
from unleak.names.text import expr_text
from unleak.source.walk import children, walk

# Popen keywords that detach the child from its parent's session: a daemon started on purpose.
_DETACHING = frozenset({"start_new_session", "process_group"})


def started_detached(
    info: SiteInfo, handled_somewhere: bool, scope: ast.AST | None = None
) -> bool:
    """A process started in a session (or process group) of its own and never waited for
    on any path: a daemon meant to outlive the function (`Popen(..., start_new_session=True)`),
    not a forgotten wait. Polled is not waited for: `p.poll()` checks that the daemon did not
    die at its start (reaping it only then). A flag given by a name (`creationflags=flags`)
    is read from the name's one assignment in ``scope``, the function around the call."""
    if info.type.name not in ("process", "piped_process"):
        return False
    if not _detaching(info.node, scope):
        return False
    return not handled_somewhere or (scope is not None and _only_polled(scope, info.var))


def _detaching(call: ast.Call, scope: ast.AST | None) -> bool:
    """Whether ``call`` starts its process detached, by one of its keywords."""
    for kw in call.keywords:
        if kw.arg == "creationflags" and isinstance(kw.value, ast.Name) and scope is not None:
            value = _only_assignment(scope, kw.value.id)
            if value is not None and _names_detaching_flag(value):
                return True
        if kw.arg in _DETACHING and not (
            isinstance(kw.value, ast.Constant) and kw.value.value in (False, None)
        ):
            return True
        if kw.arg == "preexec_fn" and expr_text(kw.value) in ("os.setsid", "setsid"):
            return True
        if kw.arg == "creationflags" and _names_detaching_flag(kw.value):
            return True
    return False


# Windows' creation flags that start the child outside the parent's console or group.
_DETACHING_FLAGS = ("DETACHED_PROCESS", "CREATE_NEW_PROCESS_GROUP")


def _names_detaching_flag(value: ast.expr) -> bool:
    """`creationflags=subprocess.DETACHED_PROCESS`, or a module constant named after it
    (`_DETACHED_PROCESS = getattr(subprocess, "DETACHED_PROCESS", 8)`), alone or or-ed."""
    for sub in walk(value):
        name = sub.id if isinstance(sub, ast.Name) else getattr(sub, "attr", None)
        if isinstance(name, str) and any(flag in name for flag in _DETACHING_FLAGS):
            return True
    return False


def _only_assignment(scope: ast.AST, name: str) -> ast.expr | None:
    """The value of the one plain assignment to ``name`` in ``scope`` (None if there are
    others, or none)."""
    values = [
        node.value
        for node in walk(scope)
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
    ]
    rebinds = any(
        isinstance(node, (ast.AugAssign, ast.AnnAssign))
        and isinstance(node.target, ast.Name)
        and node.target.id == name
        for node in walk(scope)
    )
    return values[0] if len(values) == 1 and not rebinds else None


# What a function may read of a process it leaves running: whether it ended (reaped only
# then), its pid, its exit status.
_QUERIES = frozenset({"poll", "pid", "returncode", "args"})


def _only_polled(scope: ast.AST, var: str | None) -> bool:
    """Whether every use of ``var`` in ``scope``, other than binding it, reads one of
    `_QUERIES` on it (`p.poll()`, `p.pid`): nothing waits for it, stops it or takes it."""
    if var is None:
        return False
    parents: dict[int, ast.AST] = {}
    for node in walk(scope):
        for child in children(node):
            parents[id(child)] = node
        if isinstance(node, ast.Name) and node.id == var and isinstance(node.ctx, ast.Load):
            parent = parents.get(id(node))
            if not (isinstance(parent, ast.Attribute) and parent.attr in _QUERIES):
                return False
    return True
