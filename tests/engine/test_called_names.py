"""The names a module passes as keyword arguments' values (`index.extract._passed`): what the
reference pattern, matched in the reversed text, finds."""

from __future__ import annotations

import random
import re

import pytest
from unleak.index.extract import _called, _passed

# The reference: `storage=JSONStorage)` read backwards, from the `)` or `,`.
REFERENCE = re.compile(
    r"[,)]\s*([A-Za-z0-9_]*[A-Za-z_])(?:\.[A-Za-z0-9_.]*)?\s*=(?![=!<>:+\-*/%&|^@])\s*\w"
)


def reference(text: str) -> set[str]:
    return {name[::-1] for name in REFERENCE.findall(text[::-1])}


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("f(storage=JSONStorage)", {"JSONStorage"}),
        ("f(a, cls = m.Session , b=1)", {"Session"}),
        ("f(x == y, z)", set()),
        ("x <= y, z += w)", set()),
        ("f(a=0x1f)", set()),
        ("f(a=b.c.d,\n  e=\tF)", {"d", "F"}),
        ("é=g)", {"g"}),
    ],
)
def test_examples(text: str, names: set[str]) -> None:
    assert set(_passed(text)) == reference(text) == names


def test_random_texts_give_what_the_reference_gives() -> None:
    pieces = ["a", "b", "_", "1", ".", "=", "==", "<=", "+=", " ", "\n", "\t", ",", ")", "(",
              "x.y", "\u00e9", "\u2003", ":", "!"]  # fmt: skip
    rng = random.Random(20261208)
    for _ in range(50_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 16)))
        assert set(_passed(text)) == reference(text), repr(text)


def test_called_names_include_the_passed_ones_and_aliases() -> None:
    text = "from m import f as g\ng(x)\nh(cls=Session)\n"
    assert _called(text, {"g": "m.f"}) == frozenset({"g", "f", "h", "Session"})
