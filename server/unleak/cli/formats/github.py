"""GitHub Actions workflow commands, which become annotations on the pull request."""

from __future__ import annotations

from unleak.cli.formats.base import Report, confirmed_note
from unleak.settings import Severity

_LEVELS = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFO: "notice",
    Severity.HINT: "notice",
}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(report: Report) -> str:
    lines = []
    for path, f in report.findings():
        s = f.span
        props = (
            f"file={_escape_property(path)},line={s.line},col={s.column + 1},"
            f"endLine={s.end_line},endColumn={s.end_column + 1},title={_escape_property(f.code)}"
        )
        text = f"{f.code} {f.message}{confirmed_note(report.runtime_count(path, f))}"
        if f.cell is not None:  # a notebook's lines count within the cell
            text = f"cell {f.cell}: {text}"
        lines.append(f"::{_LEVELS[f.severity]} {props}::{_escape_data(text)}")
    # A path that could not be checked should be as visible on the pull request as a finding
    # (one that does not exist cannot be annotated, so the message names it).
    for r in report.errors:
        message = _escape_data(f"unleak could not check {r.display}: {r.error}")
        lines.append(f"::error file={_escape_property(r.display)},title=unleak::{message}")
    return "".join(line + "\n" for line in lines)
