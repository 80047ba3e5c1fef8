"""The editor's analysis against the command line's, over every rule fixture, exhaustively.

    .venv/bin/python bench/live_fixtures.py                 # every statement, every name
    .venv/bin/python bench/live_fixtures.py --kind names    # only the typed characters
    .venv/bin/python bench/live_fixtures.py UL101/script_scope.py   # some fixtures

The rule fixtures hold the shapes where one definition's findings depend on another's
(lock hand-offs, flags, constructors, process lifetime, shipped sources, module scope...).
For each fixture, an editor's document (`LiveModule`) is edited two ways, each edit then
undone: every indented line of a single statement becomes `pass` (``statements``), and a
character is typed at the end of every name (``names``). After each edit the live findings
must equal a fresh analysis of the same text (what `unleak check` reports). Prints each
mismatch (whether the edit was analysed alone, or in full and why) and the counts; exits 1
if there was one. `tests/engine/test_live.py` runs a seeded sample of six edits of each kind
per fixture.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "server"))
sys.path.insert(0, str(ROOT / "tests" / "engine"))

from name_positions import name_positions, parses, statement_lines  # noqa: E402
from unleak.findings.model import Finding  # noqa: E402
from unleak.pipeline.api import analyse_source  # noqa: E402
from unleak.pipeline.live import LiveModule  # noqa: E402
from unleak.settings import Settings  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "rules"
SETTINGS = Settings()


def statement_edits(lines: list[str]) -> Iterator[tuple[int, str]]:
    """Each indented line of one statement as `pass`."""
    for i in statement_lines(lines):
        line = lines[i]
        yield i, line[: len(line) - len(line.lstrip())] + "pass\n"


def name_edits(text: str, lines: list[str]) -> Iterator[tuple[int, str]]:
    """A character typed at the end of each name."""
    import random

    for line, column in name_positions(text, 1_000_000, random.Random(0)):
        original = lines[line - 1]
        yield line - 1, original[:column] + "x" + original[column:]


def _key(findings: list[Finding]) -> list[tuple[str, int]]:
    return sorted((f.code, f.span.line) for f in findings)


def check(path: Path, kinds: list[str]) -> tuple[int, list[str]]:
    text = path.read_text(encoding="utf-8")
    if not parses(text):
        return 0, []
    lines = text.splitlines(keepends=True)
    edits: list[tuple[int, str]] = []
    if "statements" in kinds:
        edits += list(statement_edits(lines))
    if "names" in kinds:
        edits += list(name_edits(text, lines))
    live = LiveModule("m.py", "m")
    live.analyse(text, SETTINGS)
    done = 0
    out: list[str] = []
    for i, edited_line in edits:
        original = lines[i]
        for line in (edited_line, original):
            lines[i] = line
            edited = "".join(lines)
            if not parses(edited):
                continue
            done += 1
            got = live.analyse(edited, SETTINGS).findings
            want = analyse_source(edited, "m.py", SETTINGS, "m").findings
            if got != want:
                how = f"in full ({live.fallback})" if live.fallback else "alone"
                g, w = _key(got), _key(want)
                out.append(
                    f"{path.relative_to(FIXTURES)}:{i + 1} {line.strip()[:60]!r} analysed {how}: "
                    f"editor only {sorted(set(g) - set(w))}, CLI only {sorted(set(w) - set(g))}"
                )
                live = LiveModule("m.py", "m")  # start again from this text
                live.analyse(edited, SETTINGS)
        lines[i] = original
    return done, out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kind", choices=["statements", "names", "both"], default="both")
    parser.add_argument("only", nargs="*", help="fixtures to check (`UL101/script_scope.py`)")
    ns = parser.parse_args(argv)
    kinds = ["statements", "names"] if ns.kind == "both" else [ns.kind]
    started = time.process_time()
    files = [FIXTURES / f for f in ns.only] if ns.only else sorted(FIXTURES.rglob("*.py"))
    total = 0
    mismatches: list[str] = []
    for path in files:
        done, found = check(path, kinds)
        total += done
        for line in found:
            print(line, flush=True)
        mismatches += found
    print(
        f"{len(files)} fixtures, {total} texts compared (edits of {' and '.join(kinds)}, each "
        f"undone): "
        f"{len(mismatches)} mismatches; {time.process_time() - started:.0f} s of CPU"
    )
    return 1 if mismatches else 0


if __name__ == "__main__":
    raise SystemExit(main())
