"""Classes of findings that labeled samples of real code found unreliable.

Every finding of the precision benchmark's labeled sets (bench/precision, about 900 of them
in 264 projects) was joined with what the engine knows of it; `bench/precision/calibrate.py`
prints precision per class, and a class was chosen only if it was low on the sets other than
the one it was scored on. Two resources are then reported as information, not as warnings,
unless a statement that plausibly fails (failure_rank.py's LIKELY: I/O, network, parsing, a
callback, an `await`, a `raise`) leaks them:

- a lock left held at a return, or only when a call not known to fail raises: a lock held
  past the function is as often handed on by design (the other half of an acquire/release
  pair, a creator that releases it later, a documented "returns with the lock held") as
  forgotten, and the rare failure is rarely the one that happens;
- an instance of a project class inferred to be a resource (it has a `close()` that releases
  what it holds): whether it holds anything depends on how it was made (over a stream it does
  not own, already closed by its constructor, holding nothing until it connects); not for
  UL103, whose finding is what the class's `with` does.

The message says why the finding is information. The lower severity is the settings'
`unlikely-severity`, as for leaks that need an improbable failure (likelihood.py).
"""

from __future__ import annotations

from unleak.catalogue.failure_rank import LIKELY
from unleak.flow.ownership import Leak, SiteResult

# How a project class's resource type is named (summaries/classes.py).
_PROJECT_CLASS = "class:"
# UL103 reports what `with` does not release: whether its `__exit__` releases is the finding,
# and its labels (all sqlite3 connections) were all real leaks.
_WITH_RULE = "UL103"


def doubt(code: str, res: SiteResult, leak: Leak) -> str | None:
    """Why the finding of ``code`` explained by ``leak`` is only information; None when it is
    not in an unreliable class or a likely failure leaks it."""
    if code == _WITH_RULE or (leak.on_exception and res.ranks.get(leak, LIKELY) == LIKELY):
        return None
    info = res.info
    if info.lock_key is not None:
        if not leak.on_exception:
            return "a lock held past the function is often handed on by design"
        return "only a call not known to fail leaks it, and locks are often handed on"
    if info.type.name.startswith(_PROJECT_CLASS):
        return "a project class's instance may hold nothing open, depending on how it was made"
    return None


def doubtful_message(message: str, reason: str) -> str:
    """The finding's message with why it is information in place of its last clause, the
    advice (which the fix and the hover still give): messages stay short."""
    head, sep, _advice = message.rpartition("; ")
    return f"{head if sep else message}; information: {reason}"
