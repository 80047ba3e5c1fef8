"""Whole-text scans of a module are made once per analysis, not once per definition: searching
a 100,000-line module's text for `finally` for each of its 25,000 functions took most of the
time to open it."""

from __future__ import annotations

from unleak.findings.module import ModuleAnalysis
from unleak.rules.runner import run_rules
from unleak.settings import Settings


class CountingText(str):
    searched: dict[str, int] = {}

    def __contains__(self, word: object) -> bool:
        key = str(word)
        CountingText.searched[key] = CountingText.searched.get(key, 0) + 1
        return super().__contains__(key)


def test_the_text_is_searched_for_finally_once() -> None:
    text = "".join(
        f"def read_{i}(path):\n    f = open(path)\n    return f.read()\n\n" for i in range(40)
    )
    text += "def guarded(path):\n    try:\n        f = open(path)\n"
    text += "    finally:\n        f.close()\n"
    CountingText.searched = {}
    analysis = ModuleAnalysis(CountingText(text), "m.py", Settings(), "m")
    findings = run_rules(analysis, module_wide=True)
    assert sum(f.code == "UL101" for f in findings) == 40
    assert [f.code for f in findings if f.span.line > 160] == ["UL104"]
    assert CountingText.searched.get("finally", 0) <= 2, CountingText.searched
