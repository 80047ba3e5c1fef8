"""What the run reports for each file; light, so the cached path imports no engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from unleak.findings.model import Finding


@dataclass
class FileResult:
    display: str
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None  # why the file could not be checked
    cached: bool = False
    applied: int = 0  # fixes applied (--fix) or that would be (--diff)
    diff: str = ""  # --diff: the change as a unified diff
    fixed: bytes | None = None  # --fix on stdin: the fixed source, if it changed
