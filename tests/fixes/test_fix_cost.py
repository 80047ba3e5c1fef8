"""`--fix` and `--diff` cost grows linearly with the file: within 2x a plain check (CPU time,
in process, so the machine's load affects both sides alike), and the diff of a thousand
scattered fixes is what difflib would print, and cheap."""

from __future__ import annotations

import difflib
import random
import re
import sys
import time
from pathlib import Path

from unleak.cli.linediff import unified_lines
from unleak.pipeline import api
from unleak.pipeline.fix_loop import FixResult, fix_source
from unleak.settings import Settings

UNIT = """

def load_{i}(p):
    f = open(p)
    data = f.read()
    f.close()
    return data


def parse_{i}(p):
    return json.load(open(p))


def other_{i}(x):
    y = x + {i}
    return y * 2
"""


def _source(functions: int) -> str:
    return "import json\n" + "".join(UNIT.format(i=i) for i in range(functions))


def _cpu(run: object) -> float:
    best = float("inf")
    for _ in range(2):  # the best of two: a busy neighbour only ever adds time
        start = time.process_time()
        run()  # type: ignore[operator]
        best = min(best, time.process_time() - start)
    return best


def test_fix_costs_at_most_twice_a_check() -> None:
    text = _source(500)  # 7,500 lines, 1,000 fixes
    check = _cpu(lambda: api.analyse_source(text, "big.py", Settings()))
    fix = _cpu(lambda: fix_source(text, "big.py", Settings()))
    assert fix_source(text, "big.py").applied
    assert fix <= 2 * check + 0.2, (fix, check)


def test_fix_cost_is_linear() -> None:
    small, large = _source(150), _source(600)
    t_small = _cpu(lambda: fix_source(small, "a.py", Settings()))
    t_large = _cpu(lambda: fix_source(large, "a.py", Settings()))
    # Four times the text: linear is ~4x, quadratic ~16x.
    assert t_large <= 7 * t_small + 0.2, (t_small, t_large)


def _bench_source(lines: int) -> str:
    """Application-style functions of many kinds (bench/bench_fix_scale.py's generator)."""
    bench = str(Path(__file__).resolve().parents[2] / "bench")
    sys.path.insert(0, bench)
    try:
        import bench_fix_scale
    finally:
        sys.path.remove(bench)
    return str(bench_fix_scale.build(lines))


def test_fix_to_check_ratio_does_not_grow_with_the_file() -> None:
    # --fix on three times the text must stay the same multiple of a check (a quadratic
    # part, like full garbage collections walking every object of the previous passes,
    # shows as a growing ratio), and under twice a check at both sizes.
    small, large = _fix_to_check(3_000), _fix_to_check(9_000)
    assert large <= 1.25 * small and large <= 2.0, (small, large)


def _fix_to_check(lines: int) -> float:
    text = _bench_source(lines)
    fixed: list[FixResult] = []
    check = _cpu(lambda: api.analyse_source(text, "app.py", Settings()))
    fix = _cpu(lambda: fixed.append(fix_source(text, "app.py", Settings())))
    assert len(fixed[-1].applied) > lines // 11  # about one fix per 10 lines
    return fix / check


def _apply(a: list[str], diff: list[str]) -> list[str]:
    out: list[str] = []
    at = 0
    for line in diff[2:]:
        hunk = re.match(r"@@ -(\d+)(?:,(\d+))? \+", line)
        if hunk:
            length = int(hunk[2]) if hunk[2] is not None else 1
            start = int(hunk[1]) - (1 if length else 0)
            out += a[at:start]
            at = start
        elif line.startswith(" "):
            out.append(line[1:])
            at += 1
        elif line.startswith("-"):
            at += 1
        else:
            out.append(line[1:])
    return out + a[at:]


def test_diff_reconstructs_the_new_text_and_matches_difflib() -> None:
    rng = random.Random(7)
    for _ in range(300):
        a = [rng.choice("abcdefg") + "\n" for _ in range(rng.randint(0, 40))]
        b = list(a)
        for _ in range(rng.randint(0, 6)):
            k = rng.randint(0, len(b))
            roll = rng.random()
            if roll < 0.4:
                b.insert(k, f"{rng.choice('abxyz')}{rng.randint(0, 3)}\n")
            elif b:
                b[min(k, len(b) - 1) :] = b[min(k, len(b) - 1) + (roll < 0.7) :]
        diff = list(unified_lines(a, b, "x.py", "x.py"))
        assert _apply(a, diff) == b
    unique_a = [f"line {n}\n" for n in range(200)]
    unique_b = list(unique_a)
    unique_b[50:52] = ["new\n"]
    unique_b.insert(120, "added\n")
    assert list(unified_lines(unique_a, unique_b, "x", "x")) == list(
        difflib.unified_diff(unique_a, unique_b, "x", "x")
    )


def test_diff_of_many_fixes_is_cheap() -> None:
    old = _source(1000)
    new = fix_source(old, "a.py").text
    a, b = old.splitlines(True), new.splitlines(True)
    cost = _cpu(lambda: list(unified_lines(a, b, "a.py", "a.py")))
    assert cost < 1.0, cost
    assert _apply(a, list(unified_lines(a, b, "a.py", "a.py"))) == b
