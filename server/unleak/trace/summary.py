"""The terminal summary of a trace report (printed on stderr: stdout is the command's)."""

from __future__ import annotations

import os
from pathlib import Path

from unleak.trace.report import CONFIRMED, MISSED, Frame, Report, RuntimeLeak

GAP_FRAMES = 6  # allocation frames shown for a missed leak
OUTSIDE_SHOWN = 10  # leaks made outside the project shown with their allocation


def _where(path: str | None, line: int | None, cwd: Path) -> str:
    if not path:
        return "(unknown)"
    try:
        shown = os.path.relpath(path, cwd)
    except ValueError:  # another drive
        shown = path
    if shown.startswith(".." + os.sep + ".."):
        shown = path
    return f"{shown}:{line}" if line else shown


def _frame(frame: Frame, cwd: Path) -> str:
    text = _where(frame.file, frame.line, cwd)
    if frame.function:
        text += f" in {frame.function}"
    if frame.project or frame.file.startswith("<"):  # <string>, <stdin>: code, no file
        return text
    return text + "  (library)"


def _site(leak: RuntimeLeak, cwd: Path) -> str:
    """Where the leak is shown: its project line, else the innermost frame known."""
    if leak.file:
        return _where(leak.file, leak.line, cwd)
    frames = leak.traceback or leak.seen_at
    if not frames:
        return "(unknown)"
    return f"{_where(frames[0].file, frames[0].line, cwd)} (outside the project)"


def _why_not_compared(leak: RuntimeLeak, compared: bool) -> str:
    """Why a leak has no status, in a few words."""
    if leak.kind == "memory":
        return "memory held at exit"
    if leak.kind == "unraisable":
        return "exception in a finalizer"
    if not leak.file:
        return "no project frame" if leak.traceback or leak.seen_at else "allocation unknown"
    return "file not analysed" if compared else "--no-check"


def _status(leak: RuntimeLeak, compared: bool) -> str:
    if leak.status == CONFIRMED:
        return f"confirmed ({', '.join(leak.rules)})"
    if leak.status == MISSED:
        return "missed by static analysis"
    if leak.kind == "memory" and leak.size is not None:
        return f"{_size(leak.size)} held at exit"
    return f"not compared: {_why_not_compared(leak, compared)}"


def _not_compared(leaks: list[RuntimeLeak], compared: bool) -> str:
    """ ", 2 not compared (no project frame: 1, memory held at exit: 1)", or "" when every
    site was compared (the line then reads as it always did)."""
    reasons: dict[str, int] = {}
    for leak in leaks:
        if leak.status not in (CONFIRMED, MISSED):
            reason = _why_not_compared(leak, compared)
            reasons[reason] = reasons.get(reason, 0) + 1
    if not reasons:
        return ""
    parts = ", ".join(f"{reason}: {n}" for reason, n in reasons.items())
    return f", {sum(reasons.values())} not compared ({parts})"


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KiB"
    return f"{size / (1024 * 1024):.1f} MiB"


def _one_line(text: str, width: int = 100) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _nothing_traced(report: Report) -> str:
    if report.exit_code is None:
        return "Nothing was traced: the command could not be started."
    return "Nothing was traced: no Python process ran with the tracer (see the note above)."


def render_summary(report: Report, output: str, cwd: Path, compared: bool = True) -> str:
    """The summary; ``compared``: the leaks were compared with the static analysis."""
    lines: list[str] = []
    processes = len(report.processes)
    exit_text = (
        "could not be started"
        if report.exit_code is None
        else (f"exited with code {report.exit_code}")
    )
    lines.append(
        f"unleak trace: {processes} Python process{'es' if processes != 1 else ''} traced; "
        f"the command {exit_text} after {report.duration:.1f} s"
    )
    lines.extend(f"unleak trace: note: {note}" for note in report.notes)
    if not report.processes and not report.leaks:
        lines.append(_nothing_traced(report))
    elif not report.leaks:
        lines.append("No runtime leaks found.")
    else:
        rows = [
            (leak.kind, str(leak.count), _site(leak, cwd), _status(leak, compared))
            for leak in report.leaks
        ]
        header = ("kind", "count", "where", "static analysis")
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(3)]
        for kind, count, where, status in [header, *rows]:
            lines.append(
                f"  {kind:<{widths[0]}}  {count:>{widths[1]}}  {where:<{widths[2]}}  {status}"
            )
        gaps = [leak for leak in report.leaks if leak.status == MISSED]
        if gaps:
            lines.append(f"Missed by static analysis ({len(gaps)}):")
            for leak in gaps:
                lines.append(
                    f"  {_where(leak.file, leak.line, cwd)}: {leak.kind} \u00d7{leak.count}: "
                    f"{_one_line(leak.message)}"
                )
                lines.extend(_allocated_at(leak, cwd))
        outside = [leak for leak in report.leaks if not leak.file and leak.traceback]
        if outside:
            lines.append(f"Made outside the project ({len(outside)}):")
            for leak in outside[:OUTSIDE_SHOWN]:
                lines.append(f"  {leak.kind} \u00d7{leak.count}: {_one_line(leak.message)}")
                lines.extend(_allocated_at(leak, cwd))
            if len(outside) > OUTSIDE_SHOWN:
                lines.append(f"  ... and {len(outside) - OUTSIDE_SHOWN} more (see the report)")
        confirmed = sum(1 for leak in report.leaks if leak.status == CONFIRMED)
        lines.append(
            f"{len(report.leaks)} runtime leak site{'s' if len(report.leaks) != 1 else ''}: "
            f"{confirmed} confirmed by static analysis, {len(gaps)} missed"
            f"{_not_compared(list(report.leaks), compared)}."
        )
    lines.append(f"Report: {output}")
    return "".join(line + "\n" for line in lines)


def _allocated_at(leak: RuntimeLeak, cwd: Path) -> list[str]:
    if not leak.traceback:
        return []
    frames = [f"      {_frame(f, cwd)}" for f in leak.traceback[:GAP_FRAMES]]
    return ["    allocated at (innermost first):", *frames]
