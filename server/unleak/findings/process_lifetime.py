"""Functions whose end is the end of a process: what they still hold when they return or
raise is released by the operating system as the process exits, on purpose.

Two shapes, both read from the module alone:

- the target of a `multiprocessing.Process(target=f)`: the child process runs `f` and exits
  when it returns or raises (a tunnel, a worker that forwards until killed);
- the entry point a script's `if __name__ == "__main__":` block calls as one of its own
  statements, outside any `try`: when it returns or raises, the program is over.

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


def process_bodies(tree: ast.Module, qualify: Qualify) -> frozenset[str]:
    """Names of the module-level functions whose return or exception ends the process."""
    defined = {
        s.name for s in tree.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))
    }
    if not defined:
        return frozenset()
    candidates: set[str] = set()
    sanctioned: set[int] = set()  # the Name nodes that make a candidate (not other uses)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and qualify(node.func) in PROCESS_CLASSES:
            for kw in node.keywords:
                if kw.arg == "target" and isinstance(kw.value, ast.Name):
                    candidates.add(kw.value.id)
                    sanctioned.add(id(kw.value))
    for stmt in tree.body:
        if isinstance(stmt, ast.If) and _is_main_guard(stmt.test):
            for inner in stmt.body:
                call = _entry_call(inner)
                if call is not None and isinstance(call.func, ast.Name):
                    candidates.add(call.func.id)
                    sanctioned.add(id(call.func))
    candidates &= defined
    if not candidates:
        return frozenset()
    # Used anywhere else (called, passed, stored): an ordinary function.
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Name)
            and isinstance(node.ctx, ast.Load)
            and node.id in candidates
            and id(node) not in sanctioned
        ):
            candidates.discard(node.id)
    return frozenset(candidates)


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
