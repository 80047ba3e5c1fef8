"""`Converted`: an analysis converts only the findings it changed; every diagnostic equals a
fresh conversion of the same finding in the same text."""

from __future__ import annotations

from unleak.lsp.convert import UTF16, Converted, TextLines, diagnostics
from unleak.pipeline.live import LiveModule
from unleak.settings import Settings

URI = "file:///m.py"
TEXT = "".join(
    f"def read_{i}(path):\n    f = open(path)\n    return f.read()\n\n" for i in range(30)
)


def test_an_edit_converts_only_the_findings_it_changed() -> None:
    live = LiveModule("m.py", "m", fixes=False)
    converted = Converted()
    findings = live.analyse(TEXT, Settings()).findings
    first = converted.diagnostics(findings, URI, TextLines(TEXT), UTF16)
    assert first == diagnostics(findings, URI, TextLines(TEXT), UTF16)
    # Non-ASCII typed into one function (its finding is analysed again), the others kept.
    lines = TEXT.splitlines(keepends=True)
    lines[21] = "    f = open(path)  # \U0001d523\n"  # read_5's `f = open(path)`, a comment added
    lines[20] = "def read_5(path):  # \U0001d51e\n"
    edited = "".join(lines)
    again = live.analyse(edited, Settings()).findings
    second = converted.diagnostics(again, URI, TextLines(edited), UTF16)
    assert second == diagnostics(again, URI, TextLines(edited), UTF16)
    reused = sum(any(d is e for e in first) for d in second)
    assert reused == len(second) - 1, reused
    # Another encoding: every diagnostic converted again.
    third = converted.diagnostics(again, URI, TextLines(edited), "utf-8")
    assert not any(d is e for d in third for e in second)
    assert third == diagnostics(again, URI, TextLines(edited), "utf-8")
