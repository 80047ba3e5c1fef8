"""An order to analyse a project's files in: the modules a file imports before the file.

The first pass analyses each file with its view of the part of the project index known so
far (see `local_index`); a file whose imports were summarised before it gets its final view
at once and need not be analysed again. The imports are read from the bytes with a cheap
scan (lines beginning with `import` or `from ... import`, at any indentation), not parsed:
the order only saves work, it never changes a finding.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_IMPORT_LINE = re.compile(
    rb"[ \t]*(?:from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+\(?([\w, \t]*)|import[ \t]+([\w., \t]+))"
)


def imported_modules(
    data: bytes, module: str, package: bool, project: frozenset[str]
) -> tuple[set[str], set[str]]:
    """The project modules ``data`` (the source of ``module``; ``package``: an `__init__`)
    imports, as far as its import lines tell: all of them, and those its unindented lines
    import (what it imports when it is imported, rather than when a function runs)."""
    out: set[str] = set()
    top: set[str] = set()
    find = data.find
    pos = 0
    while True:
        at = find(b"import", pos)
        if at < 0:
            break
        start = data.rfind(b"\n", 0, at) + 1
        match = _IMPORT_LINE.match(data, start)
        if match is not None:
            _add(out, match.groups(), module, package, project)
            if data[start] in b"fi":  # unindented
                _add(top, match.groups(), module, package, project)
        end = find(b"\n", at)
        if end < 0:
            break
        pos = end
    out.discard(module)
    top.discard(module)
    return out, top


def _add(
    out: set[str],
    groups: tuple[bytes | None, ...],
    module: str,
    package: bool,
    project: frozenset[str],
) -> None:
    source, names, plain = groups
    if plain is not None:
        for part in plain.decode("latin-1").split(","):
            words = part.split()
            if words:
                _prefixes(out, words[0], project)
        return
    assert source is not None and names is not None
    text = source.decode("latin-1")
    dots = len(text) - len(text.lstrip("."))
    base = text[dots:]
    if dots:
        here = module.split(".") if package else module.split(".")[:-1]
        if dots > 1:
            here = here[: max(len(here) - (dots - 1), 0)]
        base = ".".join([*here, base] if base else here)
    if not base:
        return
    _prefixes(out, base, project)
    for part in names.decode("latin-1").split(","):
        words = part.split()
        if words and f"{base}.{words[0]}" in project:  # `from pkg import submodule`
            out.add(f"{base}.{words[0]}")


def _prefixes(out: set[str], dotted: str, project: frozenset[str]) -> None:
    parts = dotted.split(".")
    for n in range(1, len(parts) + 1):
        name = ".".join(parts[:n])
        if name in project:
            out.add(name)


@dataclass(frozen=True)
class ImportPlan:
    """``order``: the files' indexes, each after the modules it imports unless they import it
    back (a cycle: one group, ordered by its module-level imports alone, which functions'
    imports close into cycles far more often), bigger files first among those that may go in
    any order, so that no big file is left for the end; ``waits_for[i]``: the files outside
    its group the i-th imports (it gets its final view once they are summarised)."""

    order: list[int]
    waits_for: list[list[int]]


def dependency_order(
    modules: Sequence[str],
    imports: Sequence[set[str]],
    top_imports: Sequence[set[str]],
    sizes: Sequence[int],
) -> ImportPlan:
    """The plan for files of ``modules`` (``imports[i]``: the modules the i-th imports;
    ``top_imports[i]``: those it imports at module level)."""
    by_name: dict[str, list[int]] = {}
    for i, name in enumerate(modules):
        if name:
            by_name.setdefault(name, []).append(i)

    def edges_of(deps: Sequence[set[str]]) -> list[list[int]]:
        return [
            sorted({j for dep in deps[i] for j in by_name.get(dep, ()) if j != i})
            for i in range(len(modules))
        ]

    def depths(edges: list[list[int]]) -> tuple[list[int], list[int]]:
        """Per file: its group, and the longest chain of imports below that group."""
        groups = _cycles(edges)
        group_of = [0] * len(modules)
        for g, members in enumerate(groups):
            for i in members:
                group_of[i] = g
        # Tarjan's groups come out each after those it imports.
        depth = [0] * len(groups)
        for g, members in enumerate(groups):
            depth[g] = max(
                (depth[group_of[j]] + 1 for i in members for j in edges[i] if group_of[j] != g),
                default=0,
            )
        return group_of, [depth[group_of[i]] for i in range(len(modules))]

    edges = edges_of(imports)
    group_of, full = depths(edges)
    _, top = depths(edges_of(top_imports))
    order = sorted(range(len(modules)), key=lambda i: (full[i], top[i], -sizes[i], i))
    waits_for = [[j for j in edges[i] if group_of[j] != group_of[i]] for i in range(len(modules))]
    return ImportPlan(order, waits_for)


def _cycles(edges: list[list[int]]) -> list[list[int]]:
    """Strongly connected components (Tarjan, without recursion), each after the
    components its edges lead to."""
    count = len(edges)
    index = [-1] * count
    low = [0] * count
    on_stack = [False] * count
    stack: list[int] = []
    groups: list[list[int]] = []
    counter = 0
    for root in range(count):
        if index[root] >= 0:
            continue
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack[root] = True
        work = [(root, 0)]
        while work:
            v, next_edge = work[-1]
            if next_edge < len(edges[v]):
                work[-1] = (v, next_edge + 1)
                w = edges[v][next_edge]
                if index[w] < 0:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack[w] = True
                    work.append((w, 0))
                elif on_stack[w]:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[v])
            if low[v] == index[v]:
                group = []
                while True:
                    w = stack.pop()
                    on_stack[w] = False
                    group.append(w)
                    if w == v:
                        break
                groups.append(group)
    return groups
