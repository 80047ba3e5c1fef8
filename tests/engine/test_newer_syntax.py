"""Valid code for a newer Python than the one running unleak is not a red syntax error: one
information note per file says which Python it needs and which runs, and every definition
that parses is still analysed. Against the project's `requires-python`, syntax newer than
its oldest Python is a real error."""

from __future__ import annotations

import sys
import textwrap

import pytest
from unleak.config.requires import python_floor
from unleak.pipeline.api import analyse_source
from unleak.settings import Settings, Severity
from unleak.source.parsing import parse_module

LEAK = "def leak(p):\n    h = open(p)\n    return h.read()\n"
# (the Python that added it, a snippet using it)
NEWER = [
    ((3, 11), "try:\n    pass\nexcept* ValueError:\n    pass\n"),
    ((3, 12), "type Pair = tuple[int, int]\n"),
    ((3, 12), "def first[T](items: list[T]) -> T:\n    return items[0]\n"),
    ((3, 12), "class Box[T]:\n    pass\n"),
    ((3, 13), "def first[T = int](items: list[T]) -> T:\n    return items[0]\n"),
    ((3, 14), "greeting = t'hello {name}'\n"),
    ((3, 14), "try:\n    pass\nexcept ValueError, TypeError:\n    pass\n"),
]
RUNNING = ".".join(map(str, sys.version_info[:3]))


def newer_only(version: tuple[int, int]) -> pytest.MarkDecorator:
    return pytest.mark.skipif(sys.version_info[:2] >= version, reason=f"Python {version} runs")


@pytest.mark.parametrize(
    ("version", "snippet"),
    [
        pytest.param(v, s, marks=newer_only(v), id=f"{v[0]}.{v[1]}-{i}")
        for i, (v, s) in enumerate(NEWER)
    ],
)
def test_newer_syntax_is_a_note_and_the_rest_is_analysed(
    version: tuple[int, int], snippet: str
) -> None:
    (error,) = parse_module(snippet).errors
    assert error.needs == version
    report = analyse_source(snippet + "\n" + LEAK, "app.py")
    notes = [f for f in report.findings if f.code == "UL001"]
    (note,) = notes
    assert note.severity is Severity.INFO
    assert f"needs Python {version[0]}.{version[1]}" in note.message
    assert f"unleak runs on Python {RUNNING}" in note.message
    assert "unleak.interpreter" in note.message
    assert note.span.line == 1 or snippet.startswith("try")
    assert [f.code for f in report.findings if f.code != "UL001"] == ["UL101"]


@newer_only((3, 14))
def test_said_once_per_file_with_the_newest_python_needed() -> None:
    src = "type A = int\ntype B = str\ngreeting = t'hi'\n\n" + LEAK
    notes = [f for f in analyse_source(src, "app.py").findings if f.code == "UL001"]
    (note,) = notes
    assert note.span.line == 1
    assert "the 3 statements or definitions using newer syntax" in note.message
    assert "run unleak on Python 3.14 or newer" in note.message


@newer_only((3, 12))
def test_a_plain_syntax_error_stays_an_error() -> None:
    src = "type A = int\n\ndef broken(:\n    pass\n"
    findings = {(f.span.line, f.severity) for f in analyse_source(src, "app.py").findings}
    assert findings == {(1, Severity.INFO), (3, Severity.ERROR)}


@newer_only((3, 12))
def test_requires_python_decides_whether_it_is_an_error() -> None:
    src = textwrap.dedent(
        """\
        type A = int

        def first[T](items: list[T]) -> T:
            return items[0]
        """
    )
    old = analyse_source(src, "app.py", Settings(python_floor=(3, 9))).findings
    assert [(f.span.line, f.severity) for f in old] == [(1, Severity.ERROR), (3, Severity.ERROR)]
    assert "but the project supports Python 3.9 (requires-python" in old[0].message
    new = analyse_source(src, "app.py", Settings(python_floor=(3, 12))).findings
    (note,) = new
    assert note.severity is Severity.INFO
    assert "the project requires Python 3.12 or newer" in note.message


def test_python_floor() -> None:
    assert python_floor(">=3.9") == (3, 9)
    assert python_floor(">=3.8, <4") == (3, 8)
    assert python_floor("~=3.10") == (3, 10)
    assert python_floor("==3.11.*") == (3, 11)
    assert python_floor("<3.13") is None
    assert python_floor(None) is None
