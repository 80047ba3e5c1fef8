"""The ``unleak trace`` report: its schema, writing it, and reading it back.

Engine-independent (standard library only), so editors and the language server can read a
report cheaply. A report is one JSON object::

    {
      "version": 1, "tool": "unleak trace", "unleak_version": "0.1.0",
      "created": "2026-11-24T07:00:00Z", "command": ["python", "-m", "pytest"],
      "cwd": "/abs/project", "root": "/abs/project", "exit_code": 0, "duration": 1.25,
      "processes": [{"pid": 10, "ppid": 9, "argv": [...], "python": "3.11.7", "exited": true}],
      "notes": ["..."],
      "leaks": [
        {
          "kind": "file",            # file socket sqlite3 subprocess thread fd resource
                                     # memory unraisable
          "message": "unclosed file <_io.TextIOWrapper name='data.txt' ...>",
          "file": "/abs/project/app.py", "line": 12,   # first project frame, or null
          "count": 3, "processes": 1,
          "status": "confirmed",     # confirmed | missed | null (not checked)
          "rules": ["UL101"],        # the static findings that cover the line
          "traceback": [{"file": "...", "line": 12, "function": null, "project": true}],
          "project_frames": [{"file": "...", "line": 12, "function": null, "project": true}],
          "seen_at": [...],          # where it was noticed (finalizer, exit), innermost first
          "size": null               # memory: bytes still held at exit
        }
      ]
    }

Lines are 1-based; frames are innermost first; paths are absolute.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPORT_VERSION = 1
TOOL = "unleak trace"
DEFAULT_OUTPUT = Path(".unleak") / "trace.json"

CONFIRMED, MISSED = "confirmed", "missed"


@dataclass(frozen=True)
class Frame:
    file: str
    line: int
    function: str | None = None
    project: bool = False  # in the project (not the standard library or site-packages)


@dataclass(frozen=True)
class RuntimeLeak:
    kind: str
    message: str
    file: str | None  # absolute path of the first project frame; None when there is none
    line: int | None
    count: int = 1
    processes: int = 1
    traceback: tuple[Frame, ...] = ()  # where the object was allocated, innermost first
    seen_at: tuple[Frame, ...] = ()
    status: str | None = None
    rules: tuple[str, ...] = ()
    size: int | None = None

    @property
    def project_frames(self) -> tuple[Frame, ...]:
        return tuple(f for f in self.traceback if f.project)


@dataclass(frozen=True)
class ProcessInfo:
    pid: int
    ppid: int
    argv: tuple[str, ...]
    python: str
    exited: bool  # reached its normal exit (not killed, not os._exit)


@dataclass(frozen=True)
class Report:
    command: tuple[str, ...]
    cwd: str
    root: str
    exit_code: int | None
    duration: float
    processes: tuple[ProcessInfo, ...] = ()
    leaks: tuple[RuntimeLeak, ...] = ()
    notes: tuple[str, ...] = ()
    created: str = ""
    unleak_version: str = ""
    version: int = REPORT_VERSION


# --- reading ----------------------------------------------------------------------------------


class _Invalid(Exception):
    pass


def _get(data: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    value = data.get(key)
    # bool is an int in Python; a line number of true is still malformed.
    if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _types(kind)):
        raise _Invalid(f"{where}{key} is missing or not {_name(kind)}")
    return value


def _types(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _name(kind: type | tuple[type, ...]) -> str:
    names = {
        int: "an integer",
        str: "a string",
        list: "a list",
        dict: "an object",
        float: "a number",
        bool: "true or false",
        type(None): "null",
    }
    return " or ".join(names.get(k, k.__name__) for k in _types(kind))


def _frames(items: Any, where: str) -> tuple[Frame, ...]:
    if not isinstance(items, list):
        raise _Invalid(f"{where} is not a list")
    frames = []
    for n, item in enumerate(items):
        at = f"{where}[{n}]."
        if not isinstance(item, dict):
            raise _Invalid(f"{where}[{n}] is not an object")
        frames.append(
            Frame(
                _get(item, "file", str, at),
                _get(item, "line", int, at),
                _get(item, "function", (str, type(None)), at),
                _get(item, "project", bool, at),
            )
        )
    return tuple(frames)


def _leak(item: Any, n: int) -> RuntimeLeak:
    at = f"leaks[{n}]."
    if not isinstance(item, dict):
        raise _Invalid(f"leaks[{n}] is not an object")
    none = type(None)
    return RuntimeLeak(
        kind=_get(item, "kind", str, at),
        message=_get(item, "message", str, at),
        file=_get(item, "file", (str, none), at),
        line=_get(item, "line", (int, none), at),
        count=_get(item, "count", int, at),
        processes=_get(item, "processes", int, at),
        traceback=_frames(item.get("traceback"), f"{at}traceback"),
        seen_at=_frames(item.get("seen_at", []), f"{at}seen_at"),
        status=_get(item, "status", (str, none), at),
        rules=tuple(str(r) for r in _get(item, "rules", list, at)),
        size=_get(item, "size", (int, none), at) if "size" in item else None,
    )


def _process(item: Any, n: int) -> ProcessInfo:
    at = f"processes[{n}]."
    if not isinstance(item, dict):
        raise _Invalid(f"processes[{n}] is not an object")
    return ProcessInfo(
        pid=_get(item, "pid", int, at),
        ppid=_get(item, "ppid", int, at),
        argv=tuple(str(a) for a in _get(item, "argv", list, at)),
        python=_get(item, "python", str, at),
        exited=_get(item, "exited", bool, at),
    )


def parse_report(data: Any) -> Report | str:
    """A report from decoded JSON, or a one-line message saying why it is not one."""
    if not isinstance(data, dict) or data.get("tool") != TOOL:
        return "not an unleak trace report"
    version = data.get("version")
    if version != REPORT_VERSION:
        return (
            f"report format version {version!r} is not supported (this unleak reads version "
            f"{REPORT_VERSION}); run `unleak trace` again"
        )
    try:
        leaks = _get(data, "leaks", list, "")
        processes = _get(data, "processes", list, "")
        exit_code = data.get("exit_code")
        if exit_code is not None and (
            not isinstance(exit_code, int) or isinstance(exit_code, bool)
        ):
            raise _Invalid("exit_code is not an integer")
        duration = _get(data, "duration", (int, float), "")
        return Report(
            command=tuple(str(a) for a in _get(data, "command", list, "")),
            cwd=_get(data, "cwd", str, ""),
            root=_get(data, "root", str, ""),
            exit_code=exit_code,
            duration=float(duration),
            processes=tuple(_process(p, n) for n, p in enumerate(processes)),
            leaks=tuple(_leak(item, n) for n, item in enumerate(leaks)),
            notes=tuple(str(n) for n in _get(data, "notes", list, "")),
            created=str(data.get("created", "")),
            unleak_version=str(data.get("unleak_version", "")),
        )
    except _Invalid as exc:
        return f"malformed report: {exc}"


def load_report(path: str | os.PathLike[str]) -> Report | str:
    """Read a report; on any problem, a one-line message instead (never an exception)."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        return "no such file"
    except OSError as exc:
        return f"cannot read it: {exc.strerror or exc}"
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return "not a JSON file (not UTF-8)"
    except json.JSONDecodeError as exc:
        return f"not a JSON file (line {exc.lineno}, column {exc.colno}: {exc.msg})"
    except RecursionError:
        return "not a JSON file (nested too deeply)"
    return parse_report(data)


def _same_file(a: str, b: str) -> bool:
    if os.path.normcase(os.path.abspath(a)) == os.path.normcase(os.path.abspath(b)):
        return True
    # the report names project files by their resolved path; an editor may not
    return os.path.normcase(os.path.realpath(a)) == os.path.normcase(os.path.realpath(b))


def leaks_for_file(report: Report, path: str | os.PathLike[str]) -> list[RuntimeLeak]:
    """The runtime leaks whose first project frame is in ``path``, by line."""
    target = os.fspath(path)
    found = [leak for leak in report.leaks if leak.file and _same_file(leak.file, target)]
    return sorted(found, key=lambda leak: (leak.line or 0, leak.kind))


# --- writing ----------------------------------------------------------------------------------


def _frame_data(frame: Frame) -> dict[str, Any]:
    return {
        "file": frame.file,
        "line": frame.line,
        "function": frame.function,
        "project": frame.project,
    }


def _frames_data(frames: Iterable[Frame]) -> list[dict[str, Any]]:
    return [_frame_data(f) for f in frames]


def report_as_data(report: Report) -> dict[str, Any]:
    return {
        "version": report.version,
        "tool": TOOL,
        "unleak_version": report.unleak_version,
        "created": report.created,
        "command": list(report.command),
        "cwd": report.cwd,
        "root": report.root,
        "exit_code": report.exit_code,
        "duration": round(report.duration, 3),
        "processes": [
            {
                "pid": p.pid,
                "ppid": p.ppid,
                "argv": list(p.argv),
                "python": p.python,
                "exited": p.exited,
            }
            for p in report.processes
        ],
        "notes": list(report.notes),
        "leaks": [
            {
                "kind": leak.kind,
                "message": leak.message,
                "file": leak.file,
                "line": leak.line,
                "count": leak.count,
                "processes": leak.processes,
                "status": leak.status,
                "rules": list(leak.rules),
                "traceback": _frames_data(leak.traceback),
                "project_frames": _frames_data(leak.project_frames),
                "seen_at": _frames_data(leak.seen_at),
                "size": leak.size,
            }
            for leak in report.leaks
        ],
    }


def write_report(report: Report, path: Path) -> None:
    """Write atomically: a reader (an editor watching the file) never sees half a report."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(report_as_data(report), indent=2, ensure_ascii=False) + "\n"
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
