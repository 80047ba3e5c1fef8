"""Path conditions keep a true `a or b` as one fact (flow/conditions.py): later tests that rule
out every operand contradict it, and it never takes the place of a plain fact the path would
hold without it (a path holds at most MAX_FACTS)."""

from __future__ import annotations

import ast

from unleak.flow.conditions import MAX_FACTS, combine, disjuncts, edge_facts


def _facts(test: str, polarity: bool, names: dict[str, frozenset[str]]) -> list[tuple[str, bool]]:
    return edge_facts(ast.parse(test, mode="eval").body, polarity, names)


def test_ruling_out_every_operand_contradicts_the_disjunction() -> None:
    names: dict[str, frozenset[str]] = {}
    (either,) = _facts("a or not b", True, names)
    assert sorted(disjuncts(either[0])) == [("a", True), ("b", False)]
    path = combine(frozenset(), frozenset(), [either], names)
    assert path is not None
    path = combine(path, frozenset(), _facts("a", False, names), names)
    assert path is not None  # `b` may still be false
    assert combine(path, frozenset(), _facts("b", True, names), names) is None
    # Rebinding an operand forgets the disjunction.
    rebound = combine(path, frozenset({"b"}), (), names)
    assert rebound is not None
    assert combine(rebound, frozenset(), _facts("b", True, names), names) is not None


def test_a_false_and_is_a_disjunction_of_negations() -> None:
    names: dict[str, frozenset[str]] = {}
    (either,) = _facts("not (a and b)", True, names)
    assert sorted(disjuncts(either[0])) == [("a", False), ("b", False)]


def test_a_disjunction_never_crowds_out_a_plain_fact() -> None:
    names: dict[str, frozenset[str]] = {}
    path = combine(frozenset(), frozenset(), _facts("x or y", True, names), names)
    assert path is not None
    for i in range(MAX_FACTS - 1):
        path = combine(path, frozenset(), _facts(f"p{i}", True, names), names)
        assert path is not None
    assert len(path) == MAX_FACTS
    last = combine(path, frozenset(), _facts("q", True, names), names)
    assert last is not None and ("q", True) in last
    assert not any(disjuncts(atom) for atom, _ in last)
