"""Splitting a module into chunks again after an edit, from its chunks before
(`split_edited`), gives the chunks of splitting the whole edited text, whatever the edit
does to the strings, brackets, decorators and continuations around it."""

from __future__ import annotations

import random
import sysconfig
from pathlib import Path

import pytest
from unleak.source.chunks import split, split_edited
from unleak.source.text import changed_lines, source_lines

STDLIB = Path(sysconfig.get_paths()["stdlib"])

# Lines that change how the text around them splits: strings left open, brackets, a
# continuation, a decorator, a clause that continues a statement, code at column 0.
NASTY = [
    '"""\n',
    "'''\n",
    'x = """\n',
    "# '''\n",
    "names = [\n",
    "]\n",
    ")\n",
    "x = 1 + \\\n",
    "@decorator\n",
    "else:\n",
    "def f():\n",
    "class C:\n",
    "    pass\n",
    "\n",
    "# comment\n",
    "x = 1\n",
]


def _edit(lines: list[str], rng: random.Random) -> None:
    i = rng.randrange(len(lines) + 1)
    kind = rng.choice(["insert", "insert", "replace", "delete", "type", "block"])
    if kind == "insert" or not lines or i == len(lines):
        lines.insert(i, rng.choice(NASTY))
    elif kind == "replace":
        lines[i] = rng.choice(NASTY)
    elif kind == "delete":
        del lines[i : i + rng.randrange(1, 4)]
    elif kind == "type":
        line = lines[i]
        at = rng.randrange(len(line))
        lines[i] = line[:at] + rng.choice("x([{)]}'\"#\\:@ ") + line[at:]
    else:
        lines[i:i] = [rng.choice(NASTY) for _ in range(rng.randrange(1, 4))]


@pytest.mark.parametrize(
    "name", ["subprocess.py", "tarfile.py", "argparse.py", "shlex.py", "_pydecimal.py"]
)
def test_split_after_an_edit_is_the_split_of_the_whole_text(name: str) -> None:
    text = (STDLIB / name).read_text(encoding="utf-8")
    original = source_lines(text)
    rng = random.Random(f"split-{name}")
    lines = list(original)
    chunks = split(text, lines)
    reused = 0
    for step in range(150):
        edited = list(lines)
        _edit(edited, rng)
        if rng.random() < 0.3:
            _edit(edited, rng)  # two edits at once: one changed range spans both
        whole = "".join(edited)
        start, old_end, new_end = changed_lines(lines, edited)
        found = split_edited(chunks, edited, start, old_end, new_end)
        expected = split(whole, edited)
        if found is not None:
            reused += 1
            assert found == expected, (step, start, old_end, new_end)
        lines, chunks = edited, expected
        if rng.random() < 0.2:  # back to the original now and then
            start, old_end, new_end = changed_lines(lines, original)
            found = split_edited(chunks, original, start, old_end, new_end)
            expected = split(text, original)
            assert found is None or found == expected, (step, "restored")
            lines, chunks = list(original), expected
    assert reused >= 75, reused
