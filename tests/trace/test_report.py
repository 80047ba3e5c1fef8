"""The report API an editor uses: write, read back, validate, leaks of one file; and merging
process records. No process is traced here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from unleak.trace import leaks_for_file, load_report
from unleak.trace.collect import collect
from unleak.trace.report import Frame, ProcessInfo, Report, RuntimeLeak, write_report


def _report(root: Path) -> Report:
    app = str(root / "app.py")
    return Report(
        command=("python", "app.py"),
        cwd=str(root),
        root=str(root),
        exit_code=0,
        duration=1.5,
        processes=(ProcessInfo(10, 9, ("python", "app.py"), "3.11.7", True),),
        leaks=(
            RuntimeLeak(
                "file",
                "unclosed file <_io.TextIOWrapper name='x'>",
                app,
                12,
                count=3,
                traceback=(Frame(app, 12, "read", True), Frame("/usr/lib/x.py", 4, None, False)),
                status="confirmed",
                rules=("UL101",),
            ),
            RuntimeLeak("socket", "unclosed <socket.socket>", app, 3),
            RuntimeLeak("fd", "file descriptor 7 still open at exit", None, None),
        ),
        notes=("a note",),
        created="2026-11-24T07:00:00Z",
        unleak_version="0.1.0",
    )


def test_round_trip_and_leaks_of_one_file(tmp_path):
    report = _report(tmp_path)
    path = tmp_path / ".unleak" / "trace.json"
    write_report(report, path)
    loaded = load_report(path)
    assert loaded == report
    assert isinstance(loaded, Report)
    assert [(leak.line, leak.kind) for leak in leaks_for_file(loaded, tmp_path / "app.py")] == [
        (3, "socket"),
        (12, "file"),
    ]
    assert leaks_for_file(loaded, tmp_path / "other.py") == []
    link = tmp_path.parent / f"{tmp_path.name}-link"
    link.symlink_to(tmp_path, target_is_directory=True)
    # an editor that opened the file through a linked directory
    assert len(leaks_for_file(loaded, link / "app.py")) == 2
    data = json.loads(path.read_text())
    assert data["version"] == 1
    assert data["leaks"][0]["project_frames"] == [
        {"file": str(tmp_path / "app.py"), "line": 12, "function": "read", "project": True}
    ]
    assert not list(path.parent.glob(".*.tmp"))  # written atomically, nothing left behind


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"", "not a JSON file (line 1, column 1: Expecting value)"),
        (b"\xff\xfe", "not a JSON file (not UTF-8)"),
        (b"[1, 2]", "not an unleak trace report"),
        (b'{"tool": "unleak trace", "version": 2}', "report format version 2 is not supported"),
        (b'{"tool": "unleak trace", "version": 1}', "malformed report: leaks is missing"),
        (b"[" * 100000, "not a JSON file"),
    ],
)
def test_bad_files_give_a_message(tmp_path, text, message):
    path = tmp_path / "trace.json"
    path.write_bytes(text)
    result = load_report(path)
    assert isinstance(result, str) and result.startswith(message), result


def test_malformed_field_is_named(tmp_path):
    path = tmp_path / "trace.json"
    write_report(_report(tmp_path), path)
    data = json.loads(path.read_text())
    data["leaks"][1]["line"] = "three"
    path.write_text(json.dumps(data))
    assert load_report(path) == (
        "malformed report: leaks[1].line is missing or not an integer or null"
    )
    data["leaks"][1]["line"] = True  # a bool is not a line number
    path.write_text(json.dumps(data))
    assert isinstance(load_report(path), str)


def test_missing_file(tmp_path):
    assert load_report(tmp_path / "nope.json") == "no such file"
    assert load_report(tmp_path).startswith("cannot read it")  # a directory


def test_collect_merges_duplicates_and_skips_cut_lines(tmp_path):
    records = tmp_path / "records"
    records.mkdir()
    app = str(tmp_path / "app.py")
    stdlib = "/usr/lib/python3.11/socket.py"

    def leak(kind: str, frames: list[list[object]], message: str = "m") -> str:
        return json.dumps(
            {"t": "leak", "kind": kind, "message": message, "alloc": frames, "at": []}
        )

    first = [
        json.dumps(
            {
                "t": "start",
                "pid": 1,
                "ppid": 0,
                "argv": ["python", "app.py"],
                "python": "3.11.7",
                "prefixes": ["/usr"],
            }
        ),
        leak("socket", [[stdlib, 851], [app, 7, "ping"]]),
        leak("socket", [[stdlib, 851], [app, 7, "ping"]]),
        leak("fd", [], "file descriptor 5 (pipe:[123]) still open at exit"),
        json.dumps({"t": "exit", "pid": 1, "dropped": 0}),
    ]
    second = [
        json.dumps(
            {
                "t": "start",
                "pid": 2,
                "ppid": 1,
                "argv": ["python", "-c", "x"],
                "python": "3.11.7",
                "prefixes": ["/usr"],
            }
        ),
        leak("socket", [[app, 7]]),
        leak("fd", [], "file descriptor 6 (pipe:[456]) still open at exit"),
        '{"t": "leak", "kind": "fi',  # killed while writing
    ]
    (records / "1-1.jsonl").write_text("\n".join(first) + "\n")
    (records / "2-1.jsonl").write_text("\n".join(second))
    found = collect(records, tmp_path)
    assert [(p.pid, p.exited) for p in found.processes] == [(1, True), (2, False)]
    assert [(leak.kind, leak.line, leak.count, leak.processes) for leak in found.leaks] == [
        ("socket", 7, 3, 2),
        ("fd", None, 2, 2),  # no project frame: merged by message, numbers blanked
    ]
    socket_leak = found.leaks[0]
    assert [f.project for f in socket_leak.traceback] == [False, True]
    assert socket_leak.file == app
    assert any("did not reach a normal exit" in note for note in found.notes)


def test_collect_merges_by_allocation_site_even_outside_the_project(tmp_path):
    """Leaks made outside the project, with the same message: one row per allocation site."""
    records = tmp_path / "records"
    records.mkdir()
    start = {"t": "start", "pid": 1, "ppid": 0, "argv": ["python"], "python": "3.11.7"}
    elsewhere = "/opt/other/tool.py"
    message = "unclosed file <_io.TextIOWrapper name='data.txt' mode='r' encoding='UTF-8'>"

    def leak(alloc: list[list[object]], at: list[list[object]] | None = None) -> str:
        record = {"t": "leak", "kind": "file", "message": message, "alloc": alloc}
        return json.dumps({**record, "at": at or []})

    lines = [
        json.dumps(start),
        leak([[elsewhere, 3, "load"], ["<string>", 1, "<module>"]]),
        leak([[elsewhere, 9, "save"], ["<string>", 1, "<module>"]]),
        leak([[elsewhere, 9, "save"], ["<string>", 1, "<module>"]]),
        # Made in a library, noticed at the same project line: still two sites.
        leak([[elsewhere, 3, "load"]], [[str(tmp_path / "app.py"), 5]]),
        leak([[elsewhere, 9, "save"]], [[str(tmp_path / "app.py"), 5]]),
    ]
    (records / "1-1.jsonl").write_text("\n".join(lines) + "\n")
    found = collect(records, tmp_path)
    sites = sorted(
        ((leak.line, leak.traceback[0].line, leak.count) for leak in found.leaks),
        key=lambda site: (site[0] is None, site),
    )
    assert sites == [(5, 3, 1), (5, 9, 1), (None, 3, 1), (None, 9, 2)]
