"""Evaluating a syntax tree bottom-up without recursion.

A valid expression can nest as deep as the parser allows (a chain of 2,000 calls or
subscripts, `not not ... x`), far deeper than Python's recursion limit. An evaluator written
as a generator per node — it yields each child it needs and is sent back the child's value —
is run by `drive` on an explicit stack, so it reads like the recursive version but never
recurses.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import TypeVar

N = TypeVar("N")  # a node
V = TypeVar("V")  # its value

# One node's evaluation: yields the nodes whose values it needs, returns its own value.
Steps = Generator[N, V, V]


def drive(
    start: Generator[N, V, V],
    steps: Callable[[N], Generator[N, V, V]],
    leaf: Callable[[N], V | None],
) -> V:
    """The value `start` returns, each node it (or a step it led to) yields being evaluated
    by ``leaf`` (a value, or None when the node needs its own steps) or else by ``steps``."""
    stack = [start]
    value: V | None = None
    try:
        while True:
            try:
                # None starts a new step (a generator must be started with None).
                sub = stack[-1].send(value)  # type: ignore[arg-type]
            except StopIteration as done:
                stack.pop()
                if not stack:
                    result: V = done.value
                    return result
                value = done.value
                continue
            value = leaf(sub)
            if value is None:
                stack.append(steps(sub))
    except BaseException:
        # Unwind now, as recursion would have: the steps' `finally` blocks run in order.
        while stack:
            stack.pop().close()
        raise
