"""Functions whose end is the end of a process: what they still hold when they return or
raise is released by the operating system as the process exits, on purpose.

Two shapes, both read from the module alone:

- the target of a `multiprocessing.Process(target=f)`: the child process runs `f` and exits
  when it returns or raises (a tunnel, a worker that forwards until killed);
- the entry point a script's `if __name__ == "__main__":` block calls as one of its own
  statements, outside any `try`: an exception out of it ends the program; so does its
  return when that call is the block's last statement (`main()`, `sys.exit(main())`).

Only functions defined at module level that the module calls nowhere else count: called from
other code too, they are ordinary functions. Leaks *during* such a function (a resource
rebound, dropped or deleted while it runs) are still leaks.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

Qualify = Callable[[ast.expr], "str | None"]

PROCESS_CLASSES = frozenset(
    {
        "multiprocessing.Process",
        "multiprocessing.process.BaseProcess",
        "multiprocessing.context.Process",
        "multiprocessing.context.ForkProcess",
        "multiprocessing.context.SpawnProcess",
        "multiprocessing.context.ForkServerProcess",
    }
)


# The end of a function, by the leak kinds of flow/ownership.py.
RETURN, RAISE = "exit", "raise"


def process_bodies(tree: ast.Module, qualify: Qualify) -> dict[str, frozenset[str]]:
    """Module-level functions whose end is the process's, with the ways of leaving them
    (RETURN, RAISE) that end it."""
    defined = {
        s.name for s in tree.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))
    }
    if not defined:
        return {}
    ends: dict[str, set[str]] = {}
    sanctioned: set[int] = set()  # the Name nodes that make a candidate (not other uses)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and qualify(node.func) in PROCESS_CLASSES:
            for kw in node.keywords:
                if kw.arg == "target" and isinstance(kw.value, ast.Name):
                    ends.setdefault(kw.value.id, set()).update((RETURN, RAISE))
                    sanctioned.add(id(kw.value))
    calls: dict[str, int] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.If) and _is_main_guard(stmt.test):
            for i, inner in enumerate(stmt.body):
                call = _entry_call(inner)
                if call is None or not isinstance(call.func, ast.Name):
                    continue
                name = call.func.id
                calls[name] = calls.get(name, 0) + 1
                sanctioned.add(id(call.func))
                kinds = ends.setdefault(name, set())
                kinds.add(RAISE)
                if i == len(stmt.body) - 1:
                    kinds.add(RETURN)
    for name, n in calls.items():
        if n > 1:
            ends[name].discard(RETURN)  # called again after it returns
    # Used anywhere else (called, passed, stored): an ordinary function.
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Name)
            and isinstance(node.ctx, ast.Load)
            and node.id in ends
            and id(node) not in sanctioned
        ):
            ends.pop(node.id)
    return {name: frozenset(kinds) for name, kinds in ends.items() if name in defined and kinds}


def _is_main_guard(test: ast.expr) -> bool:
    return (
        isinstance(test, ast.Compare)
        and len(test.ops) == 1
        and isinstance(test.ops[0], ast.Eq)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
        and isinstance(test.comparators[0], ast.Constant)
        and test.comparators[0].value == "__main__"
    )


def _entry_call(stmt: ast.stmt) -> ast.Call | None:
    """`main()`, `sys.exit(main())` or `raise SystemExit(main())` as a statement."""
    value: ast.expr | None = None
    if isinstance(stmt, ast.Expr):
        value = stmt.value
    elif isinstance(stmt, ast.Raise):
        value = stmt.exc
    if not isinstance(value, ast.Call):
        return None
    if value.args and isinstance(value.args[0], ast.Call) and not isinstance(value.func, ast.Name):
        return value.args[0]  # sys.exit(main())
    if isinstance(value.func, ast.Name) and value.func.id == "SystemExit" and value.args:
        inner = value.args[0]
        return inner if isinstance(inner, ast.Call) else None
    return value
