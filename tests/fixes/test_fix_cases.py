"""Before/after fix cases: each `cases/NAME.py` becomes `cases/NAME.fixed.py` under
`fix_source` (unsafe fixes only for `*_unsafe.py`), byte for byte, and the result is stable."""

from __future__ import annotations

from pathlib import Path

import pytest
from unleak.engine.api import check_source
from unleak.fixes.apply import fix_source

CASES = Path(__file__).parent / "cases"
BEFORE = sorted(p for p in CASES.glob("*.py") if not p.name.endswith(".fixed.py"))


def test_every_case_has_an_expected_result() -> None:
    assert BEFORE
    for path in BEFORE:
        assert path.with_name(path.stem + ".fixed.py").exists(), path.name


@pytest.mark.parametrize("path", BEFORE, ids=lambda p: p.stem)
def test_fix_matches_expected(path: Path) -> None:
    text = path.read_bytes().decode("utf-8")
    unsafe = path.stem.endswith("unsafe")
    expected = path.with_name(path.stem + ".fixed.py").read_bytes().decode("utf-8")
    result = fix_source(text, str(path), unsafe=unsafe)
    assert result.text == expected
    # Line endings and indentation survive (CRLF stays CRLF, tabs stay tabs).
    assert ("\r\n" in text) == ("\r\n" in result.text)
    compile(result.text, str(path), "exec")
    # The fixed code is clean, and fixing again changes nothing.
    assert [f.code for f in check_source(result.text, str(path))] == []
    again = fix_source(result.text, str(path), unsafe=unsafe)
    assert again.text == result.text and not again.applied


def test_unsafe_fixes_need_opting_in() -> None:
    path = CASES / "popen_unsafe.py"
    text = path.read_text(encoding="utf-8")
    (finding,) = check_source(text, str(path))
    assert finding.fix is not None and not finding.fix.safe
    assert "waits for the process" in finding.fix.description
    assert fix_source(text, str(path)).text == text
