"""The validated configuration, as plain data."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from unleak.settings import ExtraResource, Severity


@dataclass(frozen=True)
class Config:
    """``[tool.unleak]`` after validation; the defaults are what an absent table means."""

    # Directory that relative patterns (exclude, per-file-ignores) are resolved against.
    root: Path
    # The file the settings came from, or None when there was none (or --no-config).
    source: Path | None = None
    select: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exclude: tuple[str, ...] = ()
    extend_exclude: tuple[str, ...] = ()
    severity: tuple[tuple[str, Severity], ...] = ()
    # Severity of findings that leak only through statements that almost never fail.
    unlikely_severity: tuple[tuple[str, Severity], ...] = ()
    extra_resources: tuple[ExtraResource, ...] = ()
    # `[project] requires-python` of the project's pyproject.toml, as written.
    requires_python: str | None = None

    @property
    def all_excludes(self) -> tuple[str, ...]:
        return self.exclude + self.extend_exclude
