"""Release methods a resource's own project adds.

A factory of the project can return an object that is more than the catalogued type says
(dulwich's `GitFile()` returns a plain file or a lock-file wrapper): a method the catalogued
type does not have, with a name that says it ends the object's life, is that object's own
release. `kill()`/`terminate()` are not here: a process they stop must still be waited for.
"""

from __future__ import annotations

from unleak.catalogue import ResourceType

OWN_RELEASE_METHODS: frozenset[str] = frozenset(
    {"abort", "dispose", "destroy", "cleanup", "disconnect", "discard"}
)


def releases_as_own_method(rtype: ResourceType, method: str) -> bool:
    """Whether ``method`` called on a resource of ``rtype`` is its project's own release
    (`read()`, a read to the end, is a class's `read` release method too)."""
    return (
        method in rtype.release
        or method in OWN_RELEASE_METHODS
        or (method == "read()" and "read" in rtype.release)
    )


def releases_when_raising(rtype: ResourceType, method: str) -> bool:
    """Whether ``method``, a release of ``rtype``, has released even when it raises: a failing
    `close()` still closes, a failing `read()` (of an HTTP response, or a project class's that
    closes only once it has parsed) releases nothing."""
    if method == "read()":
        if "read" not in rtype.release:
            return False
        method = "read"
    return method not in rtype.release_on_return


# Release methods to name first, in this order.
_PREFERRED = ("close", "wait", "shutdown", "cleanup", "terminate", "release", "aclose")


def preferred_release(rtype: ResourceType) -> str | None:
    """The release method a message names: a usual one (`close()`), then a name that says it
    ends the object's life (`disconnect()`, also private: `_cleanup()`), then a public one;
    a private helper that reaches the release on some path (`_check_worker_running()`) or a
    method that releases only once its work succeeds (`read()`) only when there is nothing
    else."""
    methods = [m.rstrip("()") for m in rtype.release]
    methods = [m for m in methods if m not in rtype.release_on_return] or methods
    usual = (*_PREFERRED, *sorted(OWN_RELEASE_METHODS), "stop")
    for name in usual:
        if name in methods:
            return name
    # `_cleanup()`, `_close()`: private, but named for the job (not `run()`).
    named = sorted(m for m in methods if m.lstrip("_") in usual)
    if named:
        return named[0]
    public = [m for m in methods if not m.startswith("_")]
    return min(public or methods, default=None)
