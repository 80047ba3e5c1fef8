"""The server stays up under hundreds of edits drawn from real standard-library files:
insertions, deletions, truncations and garbage, each followed by requests that must be
answered. Seeded, bounded in count and time."""

from __future__ import annotations

import random
import sysconfig
import time
from pathlib import Path

import pytest
from lsprotocol import types

from .conftest import Starter

pytestmark = pytest.mark.asyncio

STDLIB = Path(sysconfig.get_paths()["stdlib"])
FILES = ["ftplib.py", "tempfile.py", "socketserver.py"]
GARBAGE = [
    "(",
    ")",
    ":",
    "\n",
    "    ",
    '"""',
    "'",
    "#",
    "\\",
    "é",
    "😀",
    "open(",
    "yield ",
    "try:\n",
    "finally:\n",
    "\x00",
    "\r\n",
    "async ",
]


def mutate(text: str, rng: random.Random) -> str:
    i = rng.randrange(len(text) + 1)
    kind = rng.randrange(4)
    if kind == 0:
        return text[:i] + rng.choice(GARBAGE) + text[i:]
    if kind == 1:
        return text[:i] + text[i + rng.randrange(1, 300) :]
    if kind == 2:
        return text[: max(i, len(text) // 2)]
    return text[:i] + "".join(rng.choice(GARBAGE) for _ in range(5)) + text[i:]


async def test_random_edits_keep_the_server_answering(start: Starter) -> None:
    s = await start()
    rng = random.Random(20261124)
    deadline = time.monotonic() + 40
    edits = 0
    for name in FILES:
        uri = f"file:///tmp/unleak-lsp-robust/{name}"
        original = (STDLIB / name).read_text(encoding="utf-8")
        s.open(uri, original)
        await s.diagnostics(uri, 1)
        text = original
        for step in range(100):
            if time.monotonic() > deadline:
                break
            if step % 15 == 0:
                text = original
            text = mutate(text, rng)
            version = s.replace_all(uri, text)
            edits += 1
            if step % 10 == 9:
                # Every request is answered, whatever state the text is in.
                await s.diagnostics(uri, version)
                await s.hover(uri, rng.randrange(max(1, text.count("\n"))), 0)
                await s.code_actions(uri, types.Range(types.Position(0, 0), types.Position(5, 0)))
        version = s.replace_all(uri, original)
        assert isinstance(await s.diagnostics(uri, version), list)
        s.close(uri)
    assert edits >= 100
