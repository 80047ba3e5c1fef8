"""Leaks seen at run time: `unleak trace` writes its report while the document is open, and
the runtime leak appears as a diagnostic (hover: its traceback), the static finding it
confirms says so, and a broken report is ignored with a message."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from lsprotocol import types

from .conftest import Starter

pytestmark = pytest.mark.asyncio

APP = """\
import sys


def first_line(path):
    f = open(path)
    return f.readline()


if __name__ == "__main__":
    for _ in range(3):
        first_line(sys.argv[0])
"""


def trace(project: Path) -> None:
    """Run the app for real under `unleak trace` (which writes .unleak/trace.json)."""
    done = subprocess.run(
        [sys.executable, "-m", "unleak", "trace", "--", sys.executable, "app.py"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert (project / ".unleak" / "trace.json").is_file()


async def test_runtime_leaks_appear_when_the_report_is_written(
    start: Starter, tmp_path: Path
) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.unleak]\n")
    app = tmp_path / "app.py"
    app.write_text(APP)
    uri = app.as_uri()
    s = await start(folders=[tmp_path])
    s.open(uri, APP)
    (static,) = await s.diagnostics(uri, 1)
    assert static.code == "UL101"
    assert "confirmed" not in static.message

    seen = len(s.published)
    trace(tmp_path)
    # No notification from the client: the server notices the new report by itself.
    found = await s.diagnostics(uri, 1, after=seen)
    by_code = {d.code: d for d in found}
    assert set(by_code) == {"UL101", "UL900"}
    assert by_code["UL101"].message.endswith("[confirmed at run time: seen 3 times]")
    runtime = by_code["UL900"]
    assert runtime.range.start == types.Position(4, 4)  # `f = open(path)`
    assert runtime.source == "unleak trace"
    assert "seen 3 times" in runtime.message and "unclosed file" in runtime.message
    related = runtime.related_information or []
    assert [(r.location.uri, r.location.range.start.line) for r in related] == [
        (uri, 4),
        (uri, 10),
    ]

    hover = await s.hover(uri, 4, 10)
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    text = hover.contents.value
    assert "UL101" in text and "leaked at run time, seen 3 times" in text
    assert f"`{app}:5` in `first_line`" in text

    # A broken report is ignored, with a message; the static finding stays.
    seen = len(s.published)
    (tmp_path / ".unleak" / "trace.json").write_text("{not json")
    s.client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            [
                types.FileEvent(
                    (tmp_path / ".unleak" / "trace.json").as_uri(), types.FileChangeType.Changed
                )
            ]
        )
    )
    (only,) = await s.diagnostics(uri, 1, after=seen)
    assert only.code == "UL101" and "confirmed" not in only.message
    await s.log_containing("ignoring the trace report")
