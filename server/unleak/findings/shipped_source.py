"""Functions whose source the module ships to run in another process.

mitogen's `Connection._first_stage` is never called: `get_boot_command()` reads its lines with
`inspect.getsourcelines(self._first_stage)` and runs them with `python -c` in a new process,
a one-shot bootstrap. What that body still holds when it raises or ends is released as that
process exits, like a `multiprocessing.Process` target's (see process_lifetime.py); losing a
resource while it runs is still a leak.
"""

from __future__ import annotations

import ast

from unleak.findings.process_lifetime import RAISE, RETURN, Qualify
from unleak.source.walk import walk

_READERS = frozenset({"inspect.getsource", "inspect.getsourcelines"})
ENDS = frozenset({RETURN, RAISE})


def shipped_sources(tree: ast.Module, text: str, qualify: Qualify) -> frozenset[str]:
    """The names of the functions whose source the module reads with `inspect.getsource()`
    or `getsourcelines()` (`f`, `self.f`, `Cls.f`), and that it never calls by that name."""
    if "getsource" not in text:
        return frozenset()
    read: set[str] = set()
    called: set[str] = set()
    for node in walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _last_name(node.func)
        if name is not None:
            called.add(name)
        if qualify(node.func) in _READERS and node.args:
            target = _last_name(node.args[0])
            if target is not None:
                read.add(target)
    return frozenset(read - called)


def _last_name(expr: ast.expr) -> str | None:
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute):
        return expr.attr
    return None
