"""Incremental edits of a document's lines agree with editing the whole text by offsets."""

from __future__ import annotations

import random
import re

import pytest
from lsprotocol import types
from unleak.lsp.convert import UTF8, UTF16, UTF32, TextLines

_BREAK = re.compile(r"\r\n|\r|\n")
PIECES = ["a", "bc", " ", "\n", "\r", "\r\n", "\x0c", "é", "😀", "\u2028", "def f():\n"]


def reference_offset(text: str, position: types.Position, encoding: str) -> int:
    """The offset of a client position, the slow and obvious way."""
    starts = [0] + [m.end() for m in _BREAK.finditer(text)]
    ends = [m.start() for m in _BREAK.finditer(text)] + [len(text)]
    if position.line < 0:
        return 0
    if position.line >= len(starts):
        return len(text)
    line = text[starts[position.line] : ends[position.line]]
    seen = 0
    for index, ch in enumerate(line):
        width = {
            UTF8: len(ch.encode("utf-8")),
            UTF16: 2 if ord(ch) > 0xFFFF else 1,
            UTF32: 1,
        }[encoding]
        if seen + width > position.character:
            return starts[position.line] + index
        seen += width
    return starts[position.line] + len(line)


@pytest.mark.parametrize("encoding", [UTF8, UTF16, UTF32])
def test_random_edits_match_offset_edits(encoding: str) -> None:
    rng = random.Random(f"text-lines-{encoding}")
    for _ in range(300):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randrange(0, 15)))
        lines = TextLines(text)
        for _ in range(6):
            count = len(_BREAK.findall(text)) + 1
            start = types.Position(rng.randrange(0, count + 2), rng.randrange(0, 6))
            end = types.Position(rng.randrange(0, count + 2), rng.randrange(0, 6))
            new = "".join(rng.choice(PIECES) for _ in range(rng.randrange(0, 3)))
            a = reference_offset(text, start, encoding)
            b = reference_offset(text, end, encoding)
            a, b = min(a, b), max(a, b)
            text = text[:a] + new + text[b:]
            lines = lines.edited(start, end, new, encoding)
            fresh = TextLines(text)
            assert lines.text == text
            assert lines.lines == fresh.lines
            assert lines.count == len(_BREAK.findall(text)) + 1
            assert lines.starts == fresh.starts
            for i in range(lines.count):
                assert lines.offset(types.Position(i, 0), encoding) == reference_offset(
                    text, types.Position(i, 0), encoding
                )
