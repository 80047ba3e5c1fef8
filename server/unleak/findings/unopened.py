"""Resources that hold nothing until a method opens them, and processes started to outlive
their parent.

An `http.client.HTTPConnection` opens its socket on `connect()` or the first `request()`: one
that a function creates and drops without either holds no descriptor, so there is nothing to
report. Only when every use of its name in the function is a call of some other method (or a
plain attribute) is it known to stay unopened; handed anywhere, it may be opened there.
"""

from __future__ import annotations

import ast

from unleak.flow.effects import SiteInfo
from unleak.names.text import expr_text
from unleak.source.walk import children, walk


def never_opened(func: ast.AST, info: SiteInfo) -> bool:
    """Whether the resource of ``info``, of a type that opens lazily, is never opened in
    ``func``: its name is only ever the receiver of methods that do not open it."""
    opening = info.type.opened_by
    if not opening or info.var is None:
        return False
    parents: dict[int, ast.AST] = {}
    nodes = walk(func)
    for node in nodes:
        for child in children(node):
            parents[id(child)] = node
    for node in nodes:
        if not (isinstance(node, ast.Name) and node.id == info.var):
            continue
        if not isinstance(node.ctx, ast.Load):
            continue
        parent = parents.get(id(node))
        if not (isinstance(parent, ast.Attribute) and parent.value is node):
            return False  # passed, returned, stored or aliased: it may be opened elsewhere
        if parent.attr in opening:
            return False
    return True


# Popen keywords that detach the child from its parent's session: a daemon started on purpose.
_DETACHING = frozenset({"start_new_session", "process_group"})


def started_detached(info: SiteInfo, handled_somewhere: bool) -> bool:
    """A process started in a session (or process group) of its own and never waited for
    on any path: a daemon meant to outlive the function (`Popen(..., start_new_session=True)`),
    not a forgotten wait."""
    if handled_somewhere or info.type.name not in ("process", "piped_process"):
        return False
    for kw in info.node.keywords:
        if kw.arg in _DETACHING and not (
            isinstance(kw.value, ast.Constant) and kw.value.value in (False, None)
        ):
            return True
        if kw.arg == "preexec_fn" and expr_text(kw.value) in ("os.setsid", "setsid"):
            return True
    return False
