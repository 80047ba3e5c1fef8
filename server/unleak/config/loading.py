"""Finding and reading the configuration file."""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from unleak.config.errors import ConfigError
from unleak.config.model import Config
from unleak.config.validation import validate


def _read_toml(path: Path) -> dict[str, Any]:
    # Imported here: a run without a configuration file does not pay for the parser.
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read configuration: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8")
        parsed: dict[str, Any] = tomllib.loads(text)
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: configuration is not valid UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    return parsed


def _unleak_table(data: dict[str, Any], path: Path) -> dict[str, Any] | None:
    tool = data.get("tool")
    if tool is None:
        return None
    if not isinstance(tool, dict):
        raise ConfigError(f"{path}: [tool] must be a table")
    table = tool.get("unleak")
    if table is None:
        return None
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.unleak] must be a table")
    return table


def find_pyproject(start: Path) -> tuple[Path | None, Path | None]:
    """Search upward from ``start`` for ``pyproject.toml``.

    Returns (the nearest one with a ``[tool.unleak]`` table, the nearest one at all); the
    second one marks the project root even when it does not configure unleak.
    """
    # abspath, not resolve(): paths must stay comparable with the (unresolved) checked paths.
    start = Path(os.path.abspath(start))
    if not start.is_dir():
        start = start.parent
    nearest: Path | None = None
    for directory in (start, *start.parents):
        candidate = directory / "pyproject.toml"
        if not candidate.is_file():
            continue
        if nearest is None:
            nearest = candidate
        if _unleak_table(_read_toml(candidate), candidate) is not None:
            return candidate, nearest
    return None, nearest


def load_config_file(path: Path) -> Config:
    """Load an explicitly named file: ``[tool.unleak]`` if present, else its top level.

    The top-level form lets a standalone ``unleak.toml`` hold the same keys.
    """
    path = Path(os.path.abspath(path))
    if not path.is_file():
        raise ConfigError(f"{path}: configuration file not found")
    data = _read_toml(path)
    table = _unleak_table(data, path)
    if table is None:
        table = {} if path.name == "pyproject.toml" else data
    config = validate(table, path, path.parent)
    return replace(config, requires_python=_requires_python(data))


def _requires_python(data: dict[str, Any]) -> str | None:
    project = data.get("project")
    value = project.get("requires-python") if isinstance(project, dict) else None
    return value if isinstance(value, str) else None


def load_config(start: Path) -> Config:
    """The configuration that applies to ``start`` (a file or directory)."""
    configured, nearest = find_pyproject(start)
    if configured is not None:
        return load_config_file(configured)
    if nearest is None:
        return Config(root=Path(os.getcwd()))
    # No [tool.unleak]: the defaults, but the project still says which Pythons it supports.
    try:
        requires = _requires_python(_read_toml(nearest))
    except ConfigError:
        requires = None
    return Config(root=nearest.parent, requires_python=requires)
