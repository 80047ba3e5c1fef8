"""The engine never raises on broken code: seeded random edits of real modules (insertions,
deletions, truncations, garbage) are analysed and fixed without an exception."""

from __future__ import annotations

import random
import sysconfig
import time
from pathlib import Path

import pytest
from unleak.findings.incremental import UnitCache
from unleak.pipeline.api import analyse_source
from unleak.pipeline.fix_loop import fix_source

# Mutated sources make the parser warn about invalid escapes: noise, not failures.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::SyntaxWarning")
STDLIB = Path(sysconfig.get_paths()["stdlib"])
GARBAGE = [
    "(",
    ")",
    ":",
    "\n",
    "    ",
    "\t",
    '"""',
    "'",
    "#",
    "\\",
    "lambda",
    "with ",
    "try:\n",
    "é",
    "\x0c",
    "open(",
    "yield ",
    "async ",
    "finally:\n",
    "🐍",
    "\r\n",
]


def mutate(text: str, rng: random.Random) -> str:
    kind = rng.choice(["insert", "delete", "truncate", "duplicate", "garbage"])
    i = rng.randrange(len(text) + 1)
    if kind == "insert":
        return text[:i] + rng.choice(GARBAGE) + text[i:]
    if kind == "delete":
        return text[:i] + text[i + rng.randrange(1, 200) :]
    if kind == "truncate":
        return text[:i]
    if kind == "duplicate":
        j = min(len(text), i + rng.randrange(1, 400))
        return text[:j] + text[i:j] + text[j:]
    return text[:i] + "".join(rng.choice(GARBAGE) for _ in range(rng.randrange(1, 8))) + text[i:]


@pytest.mark.parametrize("name", ["ftplib.py", "tempfile.py", "socketserver.py"])
def test_random_edits_never_raise(name: str) -> None:
    original = (STDLIB / name).read_text(encoding="utf-8")
    text = original
    rng = random.Random(f"robust-{name}")
    cache = UnitCache()
    deadline = time.monotonic() + 15
    for step in range(200):
        if time.monotonic() > deadline:
            break
        if step % 10 == 0:
            text = original  # a few edits at a time, from a whole module
        text = mutate(text, rng) or "x = 1\n"
        report = analyse_source(text, name, None, "m", cache)  # must not raise
        assert all(f.span.line >= 1 for f in report.findings)
        if step % 20 == 0:
            fix_source(text, name)  # must not raise either
