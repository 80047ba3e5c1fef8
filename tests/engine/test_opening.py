"""A first analysis published in steps (`pipeline/opening.py`): every step's findings are
among the final ones and grow, the final findings are those of an analysis in one go, an
abandoned opening leaves its work in the unit cache, and a hover's findings come with the
fixes a fresh analysis builds."""

from __future__ import annotations

import sysconfig
from pathlib import Path

import pytest
from unleak.findings.model import Finding
from unleak.pipeline.api import analyse_source
from unleak.pipeline.live import LiveModule
from unleak.pipeline.opening import Cancelled, Opening
from unleak.settings import Settings

SETTINGS = Settings()
FIXTURES = Path(__file__).parent.parent / "fixtures" / "rules"
STDLIB = Path(sysconfig.get_paths()["stdlib"])
FILES = [*sorted(FIXTURES.rglob("*.py")), STDLIB / "tempfile.py", STDLIB / "subprocess.py"]


def key(f: Finding) -> tuple[object, ...]:
    return (f.code, f.span, f.message, f.severity, f.related)


def opened(text: str) -> tuple[list[Finding], list[list[Finding]], Opening]:
    steps: list[list[Finding]] = []
    opening = Opening(lambda found, done, total: steps.append(found), first_interval=0.0)
    opening.step_seconds = 0.0  # one class's methods (or 16 functions) per step
    report = LiveModule("m.py", fixes=False).analyse(text, SETTINGS, "m", steps=opening)
    return report.findings, steps, opening


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_steps_grow_into_the_final_findings(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    final, steps, _ = opened(text)
    alone = LiveModule("m.py", fixes=False).analyse(text, SETTINGS, "m").findings
    assert [key(f) for f in final] == [key(f) for f in alone]
    known = {key(f) for f in final}
    before: set[tuple[object, ...]] = set()
    for found in steps:
        now = {key(f) for f in found}
        assert now <= known, path
        assert before <= now
        before = now


def leaky_module(functions: int) -> str:
    """Functions that each leak a file, a class whose methods do, module-level code that
    does (its finding comes at the end), and a class that never closes what it keeps."""
    out = ["import os\n\n"]
    for i in range(functions):
        out.append(f"def read_{i}(path):\n    f = open(path)\n    return f.read()\n\n")
    out.append(
        "class Keeper:\n    def __init__(self, p):\n        self.f = open(p)\n\n"
        "    def peek(self, p):\n        g = open(p)\n        return g.read(1)\n\n"
        "log = open('log.txt', 'w')\nlog.write('x')\n"
    )
    return "".join(out)


def test_steps_leave_module_wide_findings_to_the_end() -> None:
    text = leaky_module(40)
    final, steps, _ = opened(text)
    assert len(steps) > 3
    codes = {f.code for f in final}
    assert "UL106" in codes  # Keeper never releases self.f
    last_line = len(text.splitlines())
    assert any(f.span.line == last_line - 1 for f in final)  # `log`, module-level code
    assert all(f.code != "UL106" and f.span.line < last_line - 1 for s in steps for f in s)
    # the first step published the first function's finding alone
    assert [f.span.line for f in steps[0]][:1] == [4]


def test_an_abandoned_opening_leaves_its_work_in_the_cache() -> None:
    text = leaky_module(200)
    live = LiveModule("m.py", fixes=False)
    calls = 0

    def cancelled() -> bool:
        nonlocal calls
        calls += 1
        return calls > 5

    opening = Opening(lambda *_: None, cancelled=cancelled, first_interval=0.0)
    opening.step_seconds = 0.0
    with pytest.raises(Cancelled):
        live.analyse(text, SETTINGS, "m", steps=opening)
    done = len(opening.done)
    assert 0 < done < 200
    misses = live.units.misses
    report = live.analyse(text, SETTINGS, "m")
    alone = LiveModule("m.py", fixes=False).analyse(text, SETTINGS, "m").findings
    assert [key(f) for f in report.findings] == [key(f) for f in alone]
    assert live.units.hits >= done  # what the abandoned opening analysed was reused
    assert live.units.misses - misses < 4 * (203 - done)


def test_a_hover_gets_the_function_with_its_fixes() -> None:
    text = leaky_module(30)
    fresh = analyse_source(text, "m.py", SETTINGS, "m", with_summary=False).findings
    _, _, opening = opened(text)
    for line in (11, 12, 13, 127, 128):
        got = opening.hover_findings(line)
        region = opening.unit_at(line)
        assert region is not None
        want = [f for f in fresh if region.first <= f.span.line <= region.last]
        want = [f for f in want if f.code not in ("UL106", "UL109", "UL001")]
        assert got == want and got and all(f.fix is not None for f in got)
    assert opening.hover_findings(2) == []  # between definitions


def test_the_first_edit_after_an_opening_does_not_walk_the_module(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The names an edit's process facts read are found by the opening (walking every
    # statement), not by the first keystroke after it; the edit's findings are a fresh
    # analysis's.
    import unleak.pipeline.live as live_module

    text = (STDLIB / "tempfile.py").read_text(encoding="utf-8")
    live = LiveModule("m.py", fixes=False)
    live.analyse(text, SETTINGS, "m", steps=Opening(lambda *_: None))
    walked: list[object] = []
    real = live_module.candidates

    def counting(*args: object) -> frozenset[str]:
        walked.append(args)
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(live_module, "candidates", counting)
    edited = text.replace("    return dirlist\n", "    return  dirlist\n", 1)
    assert edited != text
    got = live.analyse(edited, SETTINGS, "m")
    assert live.fallback == ""
    assert walked == []
    assert [key(f) for f in got.findings] == [
        key(f) for f in analyse_source(edited, "m.py", SETTINGS, "m").findings
    ]
