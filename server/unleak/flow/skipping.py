"""Stepping over module-level statements that do not concern a resource.

A script's dataflow follows each resource from the module's first statement to its last: one
walk of the whole module per resource, quadratic in a long script. A statement that names
none of the resource's names (nor a name a path condition depends on), cannot end or leave
the code (no return, raise, break, continue, yield, await, exit) and sets no condition
(`flag = True`) leaves the resource's state as it was: the walk jumps over it, to the next
statement that matters, found by name in an index built once.
"""

from __future__ import annotations

import ast
from bisect import bisect_left, bisect_right
from collections.abc import Iterable

from unleak.flow.cfg import CFG
from unleak.source.walk import walk

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
_STOPPING = (
    ast.Return,
    ast.Raise,
    ast.Break,
    ast.Continue,
    ast.Yield,
    ast.YieldFrom,
    ast.Await,
    ast.Delete,
    ast.Global,
    ast.Nonlocal,
)
# Calls that end the program or never return (by their last name, whatever the receiver).
_ENDING = frozenset(
    {"exit", "_exit", "quit", "abort", "execv", "execve", "execvp", "execl", "kill"}
    | {"serve_forever", "run_forever", "mainloop"}
)
_MIN_LENGTH = 16  # shorter lists are walked as they are


class _Sequence:
    def __init__(self, stmts: list[ast.stmt], entries: list[int]) -> None:
        self.stmts = stmts
        self.entries = entries
        self.starts = [s.lineno for s in stmts]
        self.by_name: dict[str, list[int]] = {}
        self.stops: list[int] = []
        for k, s in enumerate(stmts):
            names, stops = _scan(s)
            for name in names:
                self.by_name.setdefault(name, []).append(k)
            if stops:
                self.stops.append(k)

    def next_relevant(self, k: int, names: Iterable[str], site_line: int) -> int:
        """The first statement from ``k`` on that names one of ``names``, stops the
        program, or holds the site; the last statement if none."""
        found = len(self.stmts) - 1
        for positions in (self.stops, *(self.by_name.get(n, ()) for n in names)):
            i = bisect_left(positions, k)
            if i < len(positions) and positions[i] < found:
                found = positions[i]
        site = bisect_right(self.starts, site_line) - 1
        if k <= site < found:
            found = site
        return max(found, k)


def _scan(stmt: ast.stmt) -> tuple[set[str], bool]:
    """The names a statement mentions (its nested definitions too), and whether it may end
    the code, leave its block, or establish a path condition."""
    names: set[str] = set()
    stops = isinstance(stmt, (ast.Assign, ast.AnnAssign)) and isinstance(stmt.value, ast.Constant)
    for node in walk(stmt):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, _STOPPING):
            stops = True
        elif isinstance(node, ast.Call):
            func = node.func
            last = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if last in _ENDING:
                stops = True
    return names, stops


class Skipper:
    """The recorded statement lists of a CFG, indexed for `FunctionFlow`."""

    def __init__(self, cfg: CFG) -> None:
        self.at: dict[int, tuple[_Sequence, int]] = {}
        for stmts, entries in cfg.sequences:
            if len(stmts) < _MIN_LENGTH:
                continue
            seq = _Sequence(stmts, entries)
            for k, nid in enumerate(entries):
                self.at.setdefault(nid, (seq, k))

    def target(self, nid: int, names: Iterable[str], site_line: int) -> int:
        """Where a state at node ``nid`` that concerns ``names`` can continue: ``nid`` itself
        unless it is the entry of a recorded statement that does not concern them."""
        found = self.at.get(nid)
        if found is None:
            return nid
        seq, k = found
        j = seq.next_relevant(k, names, site_line)
        return seq.entries[j]
