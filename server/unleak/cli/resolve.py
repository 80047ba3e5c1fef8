"""The engine settings for each file: configuration, command-line overrides, per-file ignores."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from unleak.cli.paths import relative_posix
from unleak.config import Config
from unleak.config.requires import python_floor
from unleak.settings import Settings

if TYPE_CHECKING:
    from pathspec import GitIgnoreSpec


class SettingsResolver:
    def __init__(
        self,
        config: Config,
        select: tuple[str, ...] | None = None,
        ignore: tuple[str, ...] | None = None,
        extend_select: tuple[str, ...] | None = None,
    ) -> None:
        self.root = config.root
        # Command-line --select/--ignore replace the configured lists (they do not extend them).
        self.base = Settings(
            select=config.select if select is None else select,
            extend_select=config.extend_select if extend_select is None else extend_select,
            ignore=config.ignore if ignore is None else ignore,
            severities=config.severity,
            unlikely_severities=config.unlikely_severity,
            extra_resources=config.extra_resources,
            python_floor=python_floor(config.requires_python),
        )
        self.per_file: list[tuple[GitIgnoreSpec, tuple[str, ...]]] = []
        if config.per_file_ignores:
            from pathspec import GitIgnoreSpec  # imported only when needed: it is slow to load

            self.per_file = [
                (GitIgnoreSpec.from_lines([glob]), codes) for glob, codes in config.per_file_ignores
            ]
        # Many files share the same extra ignores; share one Settings (and cache fingerprint).
        self._memo: dict[tuple[str, ...], Settings] = {(): self.base}

    def for_path(self, path: Path | str) -> Settings:
        if not self.per_file:
            return self.base
        rel = relative_posix(Path(path), self.root)
        extra: list[str] = []
        for spec, codes in self.per_file:
            if spec.match_file(rel):
                extra.extend(c for c in codes if c not in extra)
        key = tuple(extra)
        if key not in self._memo:
            base = self.base
            self._memo[key] = Settings(
                select=base.select,
                extend_select=base.extend_select,
                ignore=base.ignore + tuple(c for c in key if c not in base.ignore),
                severities=base.severities,
                unlikely_severities=base.unlikely_severities,
                extra_resources=base.extra_resources,
                python_floor=base.python_floor,
            )
        return self._memo[key]
