"""The summary on stderr: its counts add up, and a site that cannot be compared says why."""

from __future__ import annotations

from pathlib import Path

from unleak.trace.report import Frame as F
from unleak.trace.report import ProcessInfo, Report, RuntimeLeak
from unleak.trace.summary import render_summary

ROOT = Path("/work/app")
APP = str(ROOT / "app.py")
PROCESS = ProcessInfo(10, 9, ("python", "app.py"), "3.11.7", True)


def _summary(*leaks: RuntimeLeak, compared: bool = True, processes: int = 1) -> list[str]:
    report = Report(
        command=("python", "app.py"),
        cwd=str(ROOT),
        root=str(ROOT),
        exit_code=0,
        duration=1.0,
        processes=(PROCESS,) * processes,
        leaks=leaks,
    )
    return render_summary(report, "r.json", ROOT, compared).splitlines()


MADE = (F(APP, 3, "f", True),)


def test_every_site_is_counted_once() -> None:
    lines = _summary(
        RuntimeLeak("file", "unclosed file", APP, 3, traceback=MADE, status="confirmed"),
        RuntimeLeak("socket", "unclosed socket", APP, 4, traceback=MADE, status="missed"),
        RuntimeLeak("memory", "1 MiB", APP, 5, traceback=MADE, size=1 << 20),
        RuntimeLeak("unraisable", "Exception ignored", APP, 6, traceback=MADE),
        RuntimeLeak("file", "unclosed file", None, None, traceback=(F("/opt/lib.py", 9),)),
        RuntimeLeak("fd", "file descriptor 7 still open at exit", None, None),
    )
    assert lines[-2] == (
        "6 runtime leak sites: 1 confirmed by static analysis, 1 missed, 4 not compared "
        "(memory held at exit: 1, exception in a finalizer: 1, no project frame: 1, "
        "allocation unknown: 1)."
    )
    rows = [line.split(None, 3) for line in lines[2:8]]
    assert [row[2] for row in rows] == [
        "app.py:3",
        "app.py:4",
        "app.py:5",
        "app.py:6",
        "/opt/lib.py:9",
        "(unknown)",
    ]
    assert rows[3][3] == "not compared: exception in a finalizer"
    assert rows[4][3] == "(outside the project)  not compared: no project frame"
    assert rows[5][3] == "not compared: allocation unknown"


def test_all_compared_reads_as_before() -> None:
    lines = _summary(RuntimeLeak("file", "unclosed", APP, 3, traceback=MADE, status="missed"))
    assert lines[-2] == "1 runtime leak site: 0 confirmed by static analysis, 1 missed."


def test_not_compared_when_asked_not_to() -> None:
    lines = _summary(RuntimeLeak("file", "unclosed", APP, 3, traceback=MADE), compared=False)
    assert lines[-2] == (
        "1 runtime leak site: 0 confirmed by static analysis, 0 missed, "
        "1 not compared (--no-check: 1)."
    )


def test_no_leaks_and_nothing_traced_differ() -> None:
    assert _summary()[-2] == "No runtime leaks found."
    assert _summary(processes=0)[-2].startswith("Nothing was traced: no Python process ran")
