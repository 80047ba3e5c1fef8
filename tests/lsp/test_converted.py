"""`Converted`: an analysis converts only the findings it changed; every diagnostic equals a
fresh conversion of the same finding in the same text."""

from __future__ import annotations

import random

from unleak.findings.model import Finding, Related
from unleak.lsp.convert import UTF16, Converted, TextLines, diagnostics
from unleak.pipeline.live import LiveModule
from unleak.settings import Settings, Severity
from unleak.source.spans import Span

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


class CountingLines(TextLines):
    read = 0

    def line(self, index: int) -> str:
        CountingLines.read += 1
        return super().line(index)


def test_an_edit_reads_only_the_lines_it_changed() -> None:
    live = LiveModule("m.py", "m", fixes=False)
    converted = Converted()
    findings = live.analyse(TEXT, Settings()).findings
    converted.diagnostics(findings, URI, CountingLines(TEXT), UTF16)
    # A character typed in read_20's body: its finding is new, the others' lines not read.
    edited = TEXT.replace("_20(path):\n    f = open(path)", "_20(path):\n    f = open(path )")
    again = live.analyse(edited, Settings()).findings
    CountingLines.read = 0
    second = converted.diagnostics(again, URI, CountingLines(edited), UTF16)
    assert second == diagnostics(again, URI, TextLines(edited), UTF16)
    assert CountingLines.read < 20, CountingLines.read


def test_random_edits_convert_as_a_fresh_conversion() -> None:
    rng = random.Random(5)
    live = LiveModule("m.py", "m", fixes=False)
    converted = Converted()
    lines = TEXT.splitlines(keepends=True)
    for _ in range(60):
        at = rng.randrange(len(lines))
        what = rng.randrange(4)
        if what == 0:  # a comment with characters of two UTF-16 units
            lines[at] = lines[at].rstrip("\n") + "  # \U0001d523\n"
        elif what == 1 and lines[at].strip():
            lines.insert(at, lines[at] if rng.random() < 0.5 else "\n")
        elif what == 2 and len(lines) > 10:
            del lines[at]
        else:  # non-ASCII before a flagged name
            lines[at] = lines[at].replace("f = open", "\u00e9 = 1; f = open")
        text = "".join(lines)
        findings = live.analyse(text, Settings()).findings
        encoding = rng.choice([UTF16, UTF16, "utf-8"])
        got = converted.diagnostics(findings, URI, TextLines(text), encoding)
        assert got == diagnostics(findings, URI, TextLines(text), encoding)


def test_related_lines_out_of_order_are_still_read_again() -> None:
    # Each finding's related location lies above the finding (its lowest lines out of the
    # findings' order): an edit there changes that finding's related range.
    lines = [f"x{i} = 1\n" for i in range(40)]
    findings = [
        Finding(
            "UL101",
            "m",
            Span(20 + i, 0, 20 + i, 2),
            Severity.WARNING,
            (Related(Span(19 - i, 0, 19 - i, 2), "here"),),
        )
        for i in range(20)
    ]
    converted = Converted()
    converted.diagnostics(findings, URI, TextLines("".join(lines)), UTF16)
    lines[3] = "\U0001d51e" + lines[3]  # two UTF-16 units before the related location
    text = "".join(lines)
    got = converted.diagnostics(findings, URI, TextLines(text), UTF16)
    assert got == diagnostics(findings, URI, TextLines(text), UTF16)


def test_a_change_in_the_last_line_of_a_long_span_converts_it_again() -> None:
    # Findings in order, one of them over lines 10 to 15: an edit of line 15 alone changes
    # its end's column (in UTF-16 units).
    lines = [f"x{i} = 1\n" for i in range(40)]
    findings = [
        Finding("UL101", "m", Span(i, 0, 15 if i == 10 else i, 2), Severity.WARNING)
        for i in range(1, 40)
    ]
    converted = Converted()
    converted.diagnostics(findings, URI, TextLines("".join(lines)), UTF16)
    lines[14] = "\U0001d51e" + lines[14]
    text = "".join(lines)
    got = converted.diagnostics(findings, URI, TextLines(text), UTF16)
    assert got == diagnostics(findings, URI, TextLines(text), UTF16)
