"""Facts about a module's top-level statements (and the members of its top-level classes)
that depend on a statement's own tree alone, kept from one version of a document to the next
while the chunk parser reuses the statement's tree (see chunk_parse): module-wide facts are
folds over them, and an edit recomputes only the facts of the statements it changed (a
class's facts are folds over its members', see `members`)."""

from __future__ import annotations

import ast
from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

T = TypeVar("T")


class StatementFacts:
    """Per-statement facts, by the statement's tree (compared by identity: a statement whose
    text changed gets a new tree). A fact must not depend on line numbers (a statement keeps
    its tree, moved, when lines are added above it) nor on anything outside the statement."""

    def __init__(self) -> None:
        # (id of the tree, kind) -> the tree (kept alive, so that its id stays its own), fact
        self._facts: dict[tuple[int, str], tuple[ast.AST, object]] = {}
        # The ids of the module's top-level statements and of its top-level classes' members.
        self._top: set[int] = set()

    def get(self, node: ast.AST, kind: str, make: Callable[[ast.AST], T]) -> T:
        """``make(node)``, computed once while ``node`` stays a top-level statement."""
        if id(node) not in self._top:
            return make(node)
        key = (id(node), kind)
        found = self._facts.get(key)
        if found is not None and found[0] is node:
            return found[1]  # type: ignore[return-value]
        value = make(node)
        self._facts[key] = (node, value)
        return value

    def members(
        self, cls: ast.ClassDef, kind: str, make: Callable[[ast.AST], T]
    ) -> list[T] | None:
        """``make`` of each member of a top-level class, in order, each computed once while
        it stays a member; None for any other class."""
        if id(cls) not in self._top:
            return None
        return [self.get(member, kind, make) for member in cls.body]

    def keep(self, body: Iterable[ast.AST]) -> None:
        """The module's top-level statements are now ``body``: forget the others' facts."""
        top: set[int] = set()
        for node in body:
            top.add(id(node))
            if isinstance(node, ast.ClassDef):
                top.update(id(member) for member in node.body)
        self._top = top
        self._facts = {k: v for k, v in self._facts.items() if k[0] in top}


def fact(facts: StatementFacts | None, node: ast.AST, kind: str, make: Callable[[ast.AST], T]) -> T:
    """``make(node)``, from ``facts`` when there are any (a document analysed version after
    version), else computed (a module analysed once)."""
    return make(node) if facts is None else facts.get(node, kind, make)


def memo(
    facts: StatementFacts | None,
    node: ast.AST,
    kind: str,
    key: Hashable,
    make: Callable[[ast.AST], T],
) -> T:
    """``make(node)`` for a fact that also depends on ``key`` (the release methods known, say,
    which follow the module's resource classes): kept per key while ``node``'s tree is."""
    table: dict[Hashable, T] = fact(facts, node, kind, lambda _: {})
    if key not in table:
        table[key] = make(node)
    return table[key]
