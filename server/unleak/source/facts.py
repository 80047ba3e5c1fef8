"""Facts about a module's top-level statements that depend on a statement's own tree alone,
kept from one version of a document to the next while the chunk parser reuses the
statement's tree (see chunk_parse): module-wide facts are folds over them, and an edit
recomputes only the facts of the statements it changed."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")


class StatementFacts:
    """Per-statement facts, by the statement's tree (compared by identity: a statement whose
    text changed gets a new tree). A fact must not depend on line numbers (a statement keeps
    its tree, moved, when lines are added above it) nor on anything outside the statement."""

    def __init__(self) -> None:
        # (id of the tree, kind) -> the tree (kept alive, so that its id stays its own), fact
        self._facts: dict[tuple[int, str], tuple[ast.AST, object]] = {}
        self._top: set[int] = set()  # the ids of the module's top-level statements

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

    def keep(self, body: Iterable[ast.AST]) -> None:
        """The module's top-level statements are now ``body``: forget the others' facts."""
        self._top = {id(node) for node in body}
        self._facts = {k: v for k, v in self._facts.items() if k[0] in self._top}


def fact(facts: StatementFacts | None, node: ast.AST, kind: str, make: Callable[[ast.AST], T]) -> T:
    """``make(node)``, from ``facts`` when there are any (a document analysed version after
    version), else computed (a module analysed once)."""
    return make(node) if facts is None else facts.get(node, kind, make)
