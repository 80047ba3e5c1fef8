"""Valid code for a newer Python than the one running unleak is not a red syntax error: one
information note per file says which Python it needs and which runs, and every definition
that parses is still analysed. Against the project's `requires-python`, syntax newer than
its oldest Python is a real error."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from pythons import find_python, python_or_skip
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


# With real newer Pythons (pyenv's, see tests/pythons.py): the table's versions are right,
# and the advice the note gives works.
SERVER = Path(__file__).resolve().parents[2] / "server"


def _parses(python: str, text: str) -> bool:
    run = subprocess.run(
        [python, "-c", "import ast, sys; ast.parse(sys.stdin.read())"],
        input=text,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return run.returncode == 0


@pytest.mark.parametrize(
    ("version", "snippet"),
    [pytest.param(v, s, id=f"{v[0]}.{v[1]}-{i}") for i, (v, s) in enumerate(NEWER)],
)
def test_the_python_named_parses_it_and_the_one_before_does_not(
    version: tuple[int, int], snippet: str
) -> None:
    newer = python_or_skip(f"{version[0]}.{version[1]}")
    assert _parses(newer, snippet)
    older = python_or_skip(f"{version[0]}.{version[1] - 1}")
    assert not _parses(older, snippet)


@pytest.mark.parametrize(
    ("version", "snippet"),
    [pytest.param(v, s, id=f"{v[0]}.{v[1]}-{i}") for i, (v, s) in enumerate(NEWER)],
)
def test_unleak_on_the_python_named_checks_everything(
    version: tuple[int, int], snippet: str, tmp_path: Path
) -> None:
    python = python_or_skip(f"{version[0]}.{version[1]}")
    (tmp_path / "app.py").write_text(snippet + "\n" + LEAK, encoding="utf-8")
    run = subprocess.run(
        [python, "-m", "unleak", "check", "--no-cache", "--format", "json", "app.py"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(SERVER)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1, run.stderr
    found = [(f["code"], f["line"]) for f in json.loads(run.stdout)]
    assert found == [("UL101", snippet.count("\n") + 3)]


# Lines that look like newer syntax but are errors in every Python (checked by parsing them
# rewritten into the older syntax they would stand for).
LOOK_ALIKES = [
    "type Pair = \n",
    "def first[T](:\n    pass\n",
    "class Box[T:\n    pass\n",
    "try:\n    pass\nexcept ValueError, TypeError as e:\n    pass\n",
    "greeting = t'hello {name'\n",
]


@pytest.mark.parametrize("snippet", LOOK_ALIKES)
def test_a_syntax_error_that_looks_like_newer_syntax_is_an_error(snippet: str) -> None:
    for python in ("3.12", "3.13", "3.14"):
        newer = find_python(python)
        if newer is not None:  # also an error for the newer Pythons at hand
            assert not _parses(newer, snippet), python
    (error,) = parse_module(snippet).errors
    assert error.needs is None and error.message.startswith("SyntaxError: ")
    (finding,) = analyse_source(snippet + "\n" + LEAK, "app.py").findings[:1]
    assert (finding.code, finding.severity) == ("UL001", Severity.ERROR)


@newer_only((3, 14))
def test_the_newest_python_a_definition_needs_is_named() -> None:
    src = "def greet(name):\n    type Name = str\n    return t'hello {name}'\n\n" + LEAK
    (note,) = [f for f in analyse_source(src, "app.py").findings if f.code == "UL001"]
    assert "needs Python 3.14" in note.message and note.severity is Severity.INFO
