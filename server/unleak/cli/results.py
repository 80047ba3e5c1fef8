"""What the run reports for each file; light, so the cached path imports no engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from unleak.findings.model import Finding

# What could not be checked: a file (unreadable, undecodable, crashed the analysis), a path
# named on the command line that does not exist, or a directory that could not be listed.
Unchecked = Literal["file", "missing", "directory"]


@dataclass
class FileResult:
    display: str
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None  # why the file could not be checked
    cached: bool = False
    applied: int = 0  # fixes applied (--fix) or that would be (--diff)
    diff: str = ""  # --diff: the change as a unified diff
    fixed: bytes | None = None  # --fix on stdin: the fixed source, if it changed
    kind: Unchecked = "file"  # with an error: what could not be checked


def missing_path(display: str) -> FileResult:
    return FileResult(display, error="No such file or directory", kind="missing")


def unreadable_directory(display: str, message: str) -> FileResult:
    return FileResult(display, error=message, kind="directory")
