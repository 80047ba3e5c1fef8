"""Leaks seen at run time (`unleak trace` reports) as diagnostics beside the static findings.

Each project's report is ``.unleak/trace.json`` in its root. It is read when a document of the
project is analysed and read again when it changes (the server checks its modification time
every couple of seconds, and on ``workspace/didChangeWatchedFiles``). A leak becomes a
diagnostic with its own code at the line where the object was allocated (the first frame in
the project); a static finding that the run confirmed says so in its message.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import attrs
from lsprotocol import types

from unleak.findings.model import Finding
from unleak.lsp.convert import TextLines
from unleak.lsp.logs import logger
from unleak.trace.crosscheck import confirmed_count, runtime_index
from unleak.trace.report import DEFAULT_OUTPUT, Report, RuntimeLeak, leaks_for_file, load_report

CODE = "UL900"
NAME = "leaked-at-run-time"
SUMMARY = "A resource was garbage-collected (or left at exit) unreleased in a real run."
DOC = """\
**What it shows**: a leak that `unleak trace` saw while running your program or tests:
a file, socket, subprocess, database connection, thread or file descriptor that was never
released, reported where it was allocated (the first frame in this project).

**Why it matters**: static findings predict leaks; this one happened. Run
`unleak trace -- python -m pytest` (or the extension's *Trace leaks while running…*) again
after fixing it to see it disappear."""

_POLL_SECONDS = 2.0
RuntimeIndex = dict[str, list[tuple[int, RuntimeLeak]]]


@dataclass
class _Loaded:
    stamp: tuple[int, int] | None  # (mtime_ns, size) of the file read; None: no file
    report: Report | None
    # Checkable leaks by file and line of each project frame (as `unleak check --trace`).
    index: RuntimeIndex = field(default_factory=dict)


def report_path(root: Path) -> Path:
    return root / DEFAULT_OUTPUT


class RuntimeReports:
    """The trace reports of the projects whose documents are open, re-read when they change."""

    poll_seconds = _POLL_SECONDS

    def __init__(self) -> None:
        self._loaded: dict[str, _Loaded] = {}

    def leaks_for(self, root: Path, path: str) -> tuple[list[RuntimeLeak], RuntimeIndex]:
        """The leaks allocated in ``path`` (their first project frame), and the index that
        tells which static findings the run confirmed."""
        loaded = self._loaded.get(str(report_path(root))) or self._load(str(report_path(root)))
        if loaded.report is None:
            return [], {}
        return leaks_for_file(loaded.report, path), loaded.index

    def changed(self) -> bool:
        """Re-read every known report whose file changed; whether any did."""
        changed = False
        for key, loaded in list(self._loaded.items()):
            if _stamp(key) != loaded.stamp:
                self._load(key)
                changed = True
        return changed

    def _load(self, key: str) -> _Loaded:
        stamp = _stamp(key)
        report: Report | None = None
        if stamp is not None:
            found = load_report(key)
            if isinstance(found, str):
                logger.warning("unleak: ignoring the trace report %s: %s", key, found)
            else:
                report = found
                logger.info("unleak: read %d runtime leaks from %s", len(found.leaks), key)
        loaded = _Loaded(stamp, report, runtime_index(report.leaks) if report else {})
        self._loaded[key] = loaded
        return loaded


def _stamp(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


def confirmed_messages(
    findings: list[Finding], diagnostics: list[types.Diagnostic], index: RuntimeIndex, path: str
) -> None:
    """Static diagnostics whose leak the run saw say so (findings and diagnostics align):
    replaced by copies, since a diagnostic may be shared with an earlier analysis."""
    for i, (finding, diagnostic) in enumerate(zip(findings, diagnostics, strict=True)):
        count = confirmed_count(index, path, finding)
        if count:
            times = "once" if count == 1 else f"{count} times"
            message = f"{diagnostic.message} [confirmed at run time: seen {times}]"
            diagnostics[i] = attrs.evolve(diagnostic, message=message)


def leak_range(leak: RuntimeLeak, lines: TextLines, encoding: str) -> types.Range:
    """The allocation line, from its first non-blank character (clamped to the text)."""
    index = min(max((leak.line or 1) - 1, 0), lines.count - 1)
    text = lines.line(index)
    start = len(text) - len(text.lstrip())
    return types.Range(
        lines.client_position(index + 1, start, encoding),
        lines.client_position(index + 1, len(text.rstrip()), encoding),
    )


def runtime_diagnostics(
    leaks: list[RuntimeLeak], uri: str, lines: TextLines, encoding: str, related: bool
) -> list[types.Diagnostic]:
    out: list[types.Diagnostic] = []
    for leak in leaks:
        times = "once" if leak.count == 1 else f"{leak.count} times"
        where = f" in {leak.processes} processes" if leak.processes > 1 else ""
        message = f"leaked at run time ({leak.kind}, seen {times}{where}): {leak.message}"
        information = None
        if related:
            information = [
                types.DiagnosticRelatedInformation(
                    types.Location(
                        Path(frame.file).as_uri(),
                        types.Range(
                            types.Position(max(frame.line - 1, 0), 0),
                            types.Position(max(frame.line - 1, 0), 0),
                        ),
                    ),
                    f"called from {frame.function or 'here'}" if i else "allocated here",
                )
                for i, frame in enumerate(leak.project_frames)
            ]
        out.append(
            types.Diagnostic(
                range=leak_range(leak, lines, encoding),
                message=message,
                severity=types.DiagnosticSeverity.Warning,
                code=CODE,
                source="unleak trace",
                related_information=information,
            )
        )
    return out


def leak_markdown(leak: RuntimeLeak) -> str:
    times = "once" if leak.count == 1 else f"{leak.count} times"
    parts = [
        f"**unleak {CODE}** `{NAME}`: {leak.kind} leaked at run time, seen {times}",
        f"`{leak.message}`",
    ]
    if leak.status == "confirmed" and leak.rules:
        parts.append(f"Predicted by {', '.join(leak.rules)}.")
    elif leak.status == "missed":
        parts.append("No static finding predicts it: a gap in the static analysis.")
    if leak.traceback:
        frames = [
            f"{i}. `{frame.file}:{frame.line}`"
            + (f" in `{frame.function}`" if frame.function else "")
            + ("" if frame.project else " (library)")
            for i, frame in enumerate(leak.traceback, 1)
        ]
        parts.append("**Allocated at** (innermost first)\n\n" + "\n".join(frames))
    parts.append("---")
    parts.append(DOC)
    return "\n\n".join(parts)
