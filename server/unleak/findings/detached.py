"""Processes started to outlive their parent: a daemon detached on purpose is not a
forgotten wait.

(Resources that hold nothing until a method opens them, such as an `HTTPConnection` never
connected, are handled by the flow analysis itself: `ownership.State.empty`.)
"""

from __future__ import annotations

import ast

from unleak.flow.effects import SiteInfo
from unleak.names.text import expr_text

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
