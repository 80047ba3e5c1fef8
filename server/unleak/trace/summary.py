"""The terminal summary of a trace report (printed on stderr: stdout is the command's)."""

from __future__ import annotations

import os
from pathlib import Path

from unleak.trace.report import CONFIRMED, MISSED, Frame, Report, RuntimeLeak

GAP_FRAMES = 6  # allocation frames shown for a missed leak


def _where(path: str | None, line: int | None, cwd: Path) -> str:
    if not path:
        return "(no project frame)"
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
    return text + ("" if frame.project else "  (library)")


def _status(leak: RuntimeLeak) -> str:
    if leak.status == CONFIRMED:
        return f"confirmed ({', '.join(leak.rules)})"
    if leak.status == MISSED:
        return "missed by static analysis"
    if leak.kind == "memory" and leak.size is not None:
        return f"{_size(leak.size)} held at exit"
    return "-"


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KiB"
    return f"{size / (1024 * 1024):.1f} MiB"


def _one_line(text: str, width: int = 100) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def render_summary(report: Report, output: str, cwd: Path) -> str:
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
    if not report.leaks:
        lines.append("No runtime leaks found.")
    else:
        rows = [
            (leak.kind, str(leak.count), _where(leak.file, leak.line, cwd), _status(leak))
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
                if leak.traceback:
                    lines.append("    allocated at (innermost first):")
                    lines.extend(f"      {_frame(f, cwd)}" for f in leak.traceback[:GAP_FRAMES])
        confirmed = sum(1 for leak in report.leaks if leak.status == CONFIRMED)
        lines.append(
            f"{len(report.leaks)} runtime leak site{'s' if len(report.leaks) != 1 else ''}: "
            f"{confirmed} confirmed by static analysis, {len(gaps)} missed."
        )
    lines.append(f"Report: {output}")
    return "".join(line + "\n" for line in lines)
