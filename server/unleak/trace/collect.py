"""Merge the records the traced processes wrote into processes and deduplicated leaks.

Each traced process appends JSON lines to its own file (see ``bootstrap/_unleak_runtime.py``).
A process that was killed may have left a partial last line: unreadable lines are skipped.
Leaks are merged by kind and allocation site, with a count: the first project frame of the
stack where the object was made or, without one, that whole stack. Only a leak whose
allocation is unknown is merged by where it was noticed and its message (numbers and
addresses blanked).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from unleak.trace.mapping import ProjectFiles, first_project_frame, to_frames
from unleak.trace.report import Frame, ProcessInfo, RuntimeLeak

RECORD_SUFFIX = ".jsonl"
_NUMBERS = re.compile(r"0x[0-9a-fA-F]+|\d+")


@dataclass
class Collected:
    processes: list[ProcessInfo] = field(default_factory=list)
    leaks: list[RuntimeLeak] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class _Process:
    start: dict[str, Any] | None = None
    exited: bool = False
    dropped: int = 0
    leaks: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def read_records(directory: Path) -> list[_Process]:
    processes = []
    for path in sorted(directory.glob(f"*{RECORD_SUFFIX}")):
        process = _Process()
        try:
            lines = path.read_bytes().splitlines()
        except OSError:
            continue
        for raw in lines:
            try:
                record = json.loads(raw)
            except (ValueError, RecursionError):
                continue  # a line cut short when the process was killed
            if not isinstance(record, dict):
                continue
            kind = record.get("t")
            if kind == "start":
                process.start = record
            elif kind == "leak":
                process.leaks.append(record)
            elif kind == "exit":
                process.exited = True
                dropped = record.get("dropped")
                process.dropped = dropped if isinstance(dropped, int) else 0
            elif kind == "error":
                process.errors.append(str(record.get("message")))
        if process.start is not None:
            processes.append(process)
    return processes


def _process_info(start: dict[str, Any], exited: bool) -> ProcessInfo:
    def number(key: str) -> int:
        value = start.get(key)
        return value if isinstance(value, int) else 0

    argv = start.get("argv")
    return ProcessInfo(
        pid=number("pid"),
        ppid=number("ppid"),
        argv=tuple(str(a) for a in argv) if isinstance(argv, list) else (),
        python=str(start.get("python", "")),
        exited=exited,
    )


@dataclass
class _Group:
    kind: str
    message: str
    frame: Frame | None
    traceback: tuple[Frame, ...]
    seen_at: tuple[Frame, ...]
    count: int = 0
    pids: set[int] = field(default_factory=set)
    size: int | None = None


def collect(directory: Path, root: Path) -> Collected:
    files = ProjectFiles(root)
    result = Collected()
    groups: dict[tuple[object, ...], _Group] = {}
    unfinished = 0
    for process in read_records(directory):
        start = process.start or {}
        prefixes = start.get("prefixes")
        if isinstance(prefixes, list):
            files.add_prefixes(str(p) for p in prefixes)
        info = _process_info(start, process.exited)
        result.processes.append(info)
        unfinished += not process.exited
        if process.dropped:
            result.notes.append(
                f"process {info.pid} reported more leaks than recorded; "
                f"{process.dropped} were dropped"
            )
        result.notes.extend(f"process {info.pid}: tracing error: {e}" for e in process.errors)
        cwd = start.get("cwd")
        for record in process.leaks:
            _add(groups, record, info.pid, files, cwd if isinstance(cwd, str) else "")
    if unfinished:
        result.notes.append(
            f"{unfinished} of {len(result.processes)} processes did not reach a normal exit "
            "(killed, crashed, os._exit or still running): what was open at their exit was "
            "not checked"
        )
    result.leaks = sorted(
        (_leak(g) for g in groups.values()),
        key=lambda leak: (
            leak.file is None,
            leak.file or "",
            leak.line or 0,
            leak.kind,
            leak.message,
        ),
    )
    return result


def _add(
    groups: dict[tuple[object, ...], _Group],
    record: dict[str, Any],
    pid: int,
    files: ProjectFiles,
    cwd: str,
) -> None:
    kind = str(record.get("kind") or "resource")
    message = str(record.get("message") or "")
    traceback = to_frames(record.get("alloc"), files, cwd)
    seen_at = to_frames(record.get("at"), files, cwd)
    frame = first_project_frame(traceback, seen_at)
    key = (kind, *_site(traceback, seen_at, message))
    group = groups.get(key)
    if group is None:
        group = groups[key] = _Group(kind, message, frame, traceback, seen_at)
    group.count += 1
    group.pids.add(pid)
    size = record.get("size")
    if isinstance(size, int):
        group.size = (group.size or 0) + size


def _site(
    traceback: tuple[Frame, ...], seen_at: tuple[Frame, ...], message: str
) -> tuple[object, ...]:
    """What makes two leaks of one kind the same site."""
    made_at = first_project_frame(traceback)
    if made_at is not None:
        return ("made", made_at.file, made_at.line)
    if traceback:  # made outside the project: by the whole stack, or one hides another
        return ("made", tuple((f.file, f.line) for f in traceback))
    seen = first_project_frame(seen_at)
    where = (seen.file, seen.line) if seen else tuple((f.file, f.line) for f in seen_at)
    return ("seen", where, _NUMBERS.sub("#", message))


def _leak(group: _Group) -> RuntimeLeak:
    frame = group.frame
    return RuntimeLeak(
        kind=group.kind,
        message=group.message,
        file=frame.file if frame else None,
        line=frame.line if frame else None,
        count=group.count,
        processes=len(group.pids),
        traceback=group.traceback,
        seen_at=group.seen_at,
        size=group.size,
    )
