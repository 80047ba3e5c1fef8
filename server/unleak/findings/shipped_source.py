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
from unleak.source.facts import StatementFacts, fact
from unleak.source.walk import walk

_READERS = frozenset({"inspect.getsource", "inspect.getsourcelines"})
# The last part of each reader's name: an attribute call qualifies to one only with it.
_READER_ATTRS = frozenset(name.rpartition(".")[2] for name in _READERS)
ENDS = frozenset({RETURN, RAISE})
# What one statement calls: the last names of its calls' functions; the calls that may read a
# function's source, as (the function called, the last name of its first argument): those of
# a plain name, with the names, and those of an attribute named like a reader.
_Calls = tuple[
    frozenset[str],
    frozenset[str],
    tuple[tuple[ast.Name, str], ...],
    tuple[tuple[ast.Attribute, str], ...],
]


def shipped_sources(
    tree: ast.Module, text: str, qualify: Qualify, facts: StatementFacts | None = None
) -> frozenset[str]:
    """The names of the functions whose source the module reads with `inspect.getsource()`
    or `getsourcelines()` (`f`, `self.f`, `Cls.f`), and that it never calls by that name.
    ``facts``: what each top-level statement (each member of a top-level class) calls, kept
    from an earlier version of the module (walking the whole module at every analysis of a
    large one that says `getsource` took a third of a full analysis after an edit)."""
    return source_reads(tree, text, qualify, facts)[1]


def ship_facts(node: ast.AST, qualify: Qualify) -> tuple[frozenset[str], frozenset[str]]:
    """What `shipped_sources` reads of one definition or statement: the names it calls, and
    those whose source it reads. An edit keeps `shipped_sources` when it reads the same
    sources and calls or stops calling none of the sources the module reads."""
    called, _, by_name, by_attr = _calls(node)
    found = [*by_name, *by_attr]
    return called, frozenset(target for func, target in found if qualify(func) in _READERS)


def source_reads(
    tree: ast.Module, text: str, qualify: Qualify, facts: StatementFacts | None = None
) -> tuple[frozenset[str], frozenset[str]]:
    """The names whose source the module reads, and those of them it never calls (see
    `shipped_sources`)."""
    if "getsource" not in text:
        return frozenset(), frozenset()
    found = [c for stmt in tree.body for c in _calls_of(stmt, facts)]
    # A plain name qualifies by its name alone: each is asked once.
    named: frozenset[str] = frozenset().union(*[c[1] for c in found])
    readers = {n for n in named if qualify(ast.Name(id=n, ctx=ast.Load())) in _READERS}
    read: set[str] = set()
    for _, names, by_name, by_attr in found:
        if by_attr:
            read.update(target for func, target in by_attr if qualify(func) in _READERS)
        if not readers.isdisjoint(names):
            read.update(target for func, target in by_name if func.id in readers)
    if not read:
        return frozenset(), frozenset()
    called: frozenset[str] = frozenset().union(*[c[0] for c in found])
    return frozenset(read), frozenset(read - called)


def _calls_of(stmt: ast.stmt, facts: StatementFacts | None) -> list[_Calls]:
    """`_calls` of a statement; a top-level class's from its members' (kept while their
    trees are) and its header's."""
    if facts is not None and isinstance(stmt, ast.ClassDef):
        per_member = facts.members(stmt, "calls", _calls)
        if per_member is not None:
            header = [*stmt.decorator_list, *stmt.bases, *(k.value for k in stmt.keywords)]
            # (A base or decorator named, not called, calls nothing.)
            plain = (ast.Name, ast.Attribute)
            return [*(_calls(n) for n in header if not isinstance(n, plain)), *per_member]
    return [fact(facts, stmt, "calls", _calls)]


def _calls(node: ast.AST) -> _Calls:
    called: set[str] = set()
    named: set[str] = set()
    by_name: list[tuple[ast.Name, str]] = []
    by_attr: list[tuple[ast.Attribute, str]] = []
    for n in walk(node):
        if not isinstance(n, ast.Call):
            continue
        func = n.func
        name = _last_name(func)
        if name is None:
            continue
        called.add(name)
        # `qualify` gives a reader for an attribute only by its last part; for a plain name,
        # through an import of any alias.
        target = _last_name(n.args[0]) if n.args else None
        if target is None:
            continue
        if isinstance(func, ast.Name):
            named.add(name)
            by_name.append((func, target))
        elif isinstance(func, ast.Attribute) and name in _READER_ATTRS:
            by_attr.append((func, target))
    return frozenset(called), frozenset(named), tuple(by_name), tuple(by_attr)


def _last_name(expr: ast.expr) -> str | None:
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute):
        return expr.attr
    return None
