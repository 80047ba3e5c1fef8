"""Spans are code-point columns; suppression comments silence exactly what they name."""

from __future__ import annotations

from unleak.pipeline.api import check_source
from unleak.settings import Settings, Severity


def test_columns_count_code_points_not_bytes() -> None:
    src = "def f(p):\n    é = 'ü'; g = open(p)\n    return g.read()\n"
    (finding,) = check_source(src)
    assert finding.span.line == 2
    assert src.splitlines()[1][finding.span.column :].startswith("open(p)")
    assert finding.span.end_column - finding.span.column == len("open(p)")


def test_noqa_and_unleak_ignore() -> None:
    base = "def f(p):\n    g = open(p){}\n    return g.read()\n"
    assert [f.code for f in check_source(base.format(""))] == ["UL101"]
    assert check_source(base.format("  # noqa: UL101")) == []
    assert check_source(base.format("  # noqa")) == []
    assert check_source(base.format("  # unleak: ignore[UL101]")) == []
    assert [f.code for f in check_source(base.format("  # noqa: UL102"))] == ["UL101"]


def test_select_ignore_and_severity_overrides() -> None:
    src = "def f(p):\n    g = open(p)\n    return g.read()\n"
    assert check_source(src, settings=Settings(ignore=("UL1",))) == []
    assert check_source(src, settings=Settings(select=("UL102",))) == []
    (finding,) = check_source(src, settings=Settings(severities=(("UL101", Severity.ERROR),)))
    assert finding.severity is Severity.ERROR


def test_related_locations_name_the_leaking_return() -> None:
    src = (
        "def first(p):\n"
        "    f = open(p)\n"
        "    line = f.readline()\n"
        "    if not line:\n"
        "        return None\n"
        "    f.close()\n"
        "    return line\n"
    )
    (finding,) = check_source(src)
    assert "returns at line 5" in finding.message
    assert [r.span.line for r in finding.related] == [2, 5]
