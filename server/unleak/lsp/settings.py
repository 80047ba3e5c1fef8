"""The server's settings: ``initializationOptions``, ``workspace/configuration`` (global and
per workspace folder), ``workspace/didChangeConfiguration``, and the nearest
``pyproject.toml`` ``[tool.unleak]`` table (through the command line's own loader).

Client settings use camelCase keys: ``enable``, ``select``, ``extendSelect``, ``ignore``,
``severity`` (code or prefix -> error/warning/info/hint), ``unlikelySeverity`` (the same, for
findings that leak only if a statement that almost never fails raises:
``[tool.unleak] unlikely-severity``),
``extraResources`` (``factory``, ``release``, ``kind``, ``withReleases``), ``logLevel``
(off/error/warning/info/debug), ``maxFileSize`` (bytes) and ``showSyntaxErrors`` (whether
UL001 diagnostics are published).
Given client keys win over the project file (``select``/``ignore`` replace its lists,
``extendSelect`` replaces the project's ``extend-select``, ``severity`` and
``unlikelySeverity`` entries override per code, ``extraResources`` add to its
resources); a folder's settings win over the global ones, which win over the initialization
options.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from unleak.config import Config, ConfigError, load_config
from unleak.config.validation import validate
from unleak.lsp.documents import uri_to_path
from unleak.settings import ExtraResource, Settings, Severity

SECTION = "unleak"
DEFAULT_MAX_FILE_SIZE = 2 * 1024 * 1024
LOG_LEVELS = {
    "off": logging.CRITICAL + 10,
    "error": logging.ERROR,
    "warning": logging.WARNING,
    "warn": logging.WARNING,
    "info": logging.INFO,
    "debug": logging.DEBUG,
    "trace": logging.DEBUG,
}

_CLIENT_KEYS = (
    "enable",
    "select",
    "extendSelect",
    "ignore",
    "severity",
    "unlikelySeverity",
    "extraResources",
    "logLevel",
    "maxFileSize",
    "showSyntaxErrors",
)


@dataclass(frozen=True)
class ClientSettings:
    """What one client settings object gave; None (or empty) where it said nothing."""

    enable: bool | None = None
    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] | None = None
    severity: tuple[tuple[str, Severity], ...] = ()
    unlikely_severity: tuple[tuple[str, Severity], ...] = ()
    extra_resources: tuple[ExtraResource, ...] | None = None
    log_level: str | None = None
    max_file_size: int | None = None
    show_syntax_errors: bool | None = None

    def over(self, base: ClientSettings) -> ClientSettings:
        """These settings on top of ``base``: what is given here wins."""
        severity = dict(base.severity)
        severity.update(self.severity)
        unlikely = dict(base.unlikely_severity)
        unlikely.update(self.unlikely_severity)
        return ClientSettings(
            enable=base.enable if self.enable is None else self.enable,
            select=base.select if self.select is None else self.select,
            extend_select=base.extend_select if self.extend_select is None else self.extend_select,
            ignore=base.ignore if self.ignore is None else self.ignore,
            severity=tuple(sorted(severity.items())),
            unlikely_severity=tuple(sorted(unlikely.items())),
            extra_resources=(
                base.extra_resources if self.extra_resources is None else self.extra_resources
            ),
            log_level=base.log_level if self.log_level is None else self.log_level,
            max_file_size=base.max_file_size if self.max_file_size is None else self.max_file_size,
            show_syntax_errors=(
                base.show_syntax_errors
                if self.show_syntax_errors is None
                else self.show_syntax_errors
            ),
        )


def unwrap(raw: Any) -> Any:
    """Accept ``{"unleak": {...}}`` and ``{"settings": {...}}`` as well as the bare object."""
    for key in (SECTION, "settings"):
        if isinstance(raw, Mapping) and isinstance(raw.get(key), Mapping):
            raw = raw[key]
    return raw


def parse_client_settings(raw: Any, problems: list[str], where: str) -> ClientSettings:
    """Client settings from a JSON object; each invalid key is reported and ignored."""
    raw = unwrap(raw)
    if raw is None:
        return ClientSettings()
    if not isinstance(raw, Mapping):
        problems.append(f"{where}: expected an object, got {type(raw).__name__}")
        return ClientSettings()
    values: dict[str, Any] = {}
    source = Path(f"<{where}>")
    for key, value in raw.items():
        if key not in _CLIENT_KEYS:
            problems.append(f"{where}: unknown setting {key!r}")
            continue
        if value is None:
            continue
        try:
            if key in ("enable", "showSyntaxErrors"):
                if not isinstance(value, bool):
                    raise ConfigError(f"{where}: {key}: expected a boolean")
                values["enable" if key == "enable" else "show_syntax_errors"] = value
            elif key in ("select", "ignore"):
                values[key] = getattr(validate({key: value}, source, Path.cwd()), key)
            elif key == "extendSelect":
                config = validate({"extend-select": value}, source, Path.cwd())
                values["extend_select"] = config.extend_select
            elif key == "severity":
                values["severity"] = validate({"severity": value}, source, Path.cwd()).severity
            elif key == "unlikelySeverity":
                config = validate({"unlikely-severity": value}, source, Path.cwd())
                values["unlikely_severity"] = config.unlikely_severity
            elif key == "extraResources":
                items = value
                if isinstance(items, list):
                    items = [
                        {("with-releases" if k == "withReleases" else k): v for k, v in i.items()}
                        if isinstance(i, Mapping)
                        else i
                        for i in items
                    ]
                config = validate({"extra-resources": items}, source, Path.cwd())
                values["extra_resources"] = config.extra_resources
            elif key == "logLevel":
                if not isinstance(value, str) or value.lower() not in LOG_LEVELS:
                    raise ConfigError(f"{where}: logLevel: expected one of {', '.join(LOG_LEVELS)}")
                values["log_level"] = value.lower()
            elif key == "maxFileSize":
                if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                    raise ConfigError(f"{where}: maxFileSize: expected a number of bytes")
                values["max_file_size"] = value
        except ConfigError as exc:
            problems.append(str(exc))
    return ClientSettings(**values)


def same_location(uri: str) -> str:
    """A URI in a form where one folder's URI is a prefix of its documents' URIs, however
    the client escaped them (`c++` or `c%2B%2B`, `C:` or `c%3A`, a trailing slash)."""
    path = uri_to_path(uri)
    if path is None:
        # A notebook cell (`vscode-notebook-cell:/project/nb.ipynb#W0sZ`) lies in the folder
        # of its notebook's path; other schemes are compared as they are.
        parsed = urlparse(uri)
        if not parsed.path.startswith("/"):
            return unquote(uri).rstrip("/")
        path = unquote(parsed.path)
    normal = os.path.normcase(os.path.normpath(path)).replace("\\", "/")
    return normal.rstrip("/") or "/"


@dataclass(frozen=True)
class DocumentSettings:
    """Everything the server needs to analyse one document."""

    enable: bool
    engine: Settings
    max_file_size: int
    config_source: Path | None
    # False: syntax errors (UL001) are not published; the rest is still analysed.
    show_syntax_errors: bool = True


@dataclass
class SettingsStore:
    """Client settings by scope, and the project files they combine with."""

    init_options: ClientSettings = field(default_factory=ClientSettings)
    global_settings: ClientSettings = field(default_factory=ClientSettings)
    folder_settings: dict[str, ClientSettings] = field(default_factory=dict)
    folders: list[str] = field(default_factory=list)  # workspace folder URIs
    root_uri: str | None = None
    # Called with each problem (invalid settings, unreadable pyproject.toml), once each.
    report: Callable[[str], None] = lambda message: None
    _configs: dict[str, Config] = field(default_factory=dict)
    _resolvers: dict[tuple[object, ...], Any] = field(default_factory=dict)
    _reported: set[str] = field(default_factory=set)

    def problem(self, message: str) -> None:
        if message not in self._reported:
            self._reported.add(message)
            self.report(message)

    def folder_of(self, uri: str) -> str | None:
        """The innermost workspace folder containing ``uri`` (as the client spelt it)."""
        key = same_location(uri)
        best: str | None = None
        best_len = -1
        for folder in self.folders:
            prefix = same_location(folder)
            inside = key == prefix or key.startswith(prefix.rstrip("/") + "/")
            if inside and len(prefix) > best_len:
                best, best_len = folder, len(prefix)
        return best

    def client_settings(self, uri: str | None) -> ClientSettings:
        merged = self.global_settings.over(self.init_options)
        folder = self.folder_of(uri) if uri else None
        if folder is not None and folder in self.folder_settings:
            merged = self.folder_settings[folder].over(merged)
        return merged

    def log_level(self) -> int:
        return LOG_LEVELS.get(self.client_settings(None).log_level or "info", logging.INFO)

    def forget_projects(self) -> None:
        """Drop the cached ``pyproject.toml`` tables (one of them changed)."""
        self._configs.clear()
        self._resolvers.clear()
        self._reported.clear()

    def project_config(self, uri: str) -> Config:
        path = uri_to_path(uri)
        if path is None:  # an untitled buffer: the folder's (or the root's) project
            base = self.folder_of(uri) or self.root_uri
            path = uri_to_path(base) if base else None
            start = Path(path) if path else Path.cwd()
        else:
            start = Path(path).parent
        key = os.path.abspath(start)
        config = self._configs.get(key)
        if config is None:
            try:
                config = load_config(start)
            except ConfigError as exc:
                self.problem(f"{exc}; using the default settings")
                config = Config(root=start)
            self._configs[key] = config
        return config

    def for_document(self, uri: str) -> DocumentSettings:
        from unleak.cli.resolve import SettingsResolver

        client = self.client_settings(uri)
        config = self.project_config(uri)
        path = uri_to_path(uri)
        key = (config, client.select, client.ignore, client.extend_select)
        resolver = self._resolvers.get(key)
        if resolver is None:
            resolver = self._resolvers[key] = SettingsResolver(
                config, client.select, client.ignore, client.extend_select
            )
        engine: Settings = resolver.for_path(path or str(config.root / "untitled.py"))
        severity = dict(config.severity)
        severity.update(client.severity)
        unlikely = dict(config.unlikely_severity)
        unlikely.update(client.unlikely_severity)
        engine = replace(
            engine,
            severities=tuple(sorted(severity.items())),
            unlikely_severities=tuple(sorted(unlikely.items())),
            extra_resources=config.extra_resources + (client.extra_resources or ()),
        )
        return DocumentSettings(
            enable=client.enable is not False,
            engine=engine,
            max_file_size=(
                DEFAULT_MAX_FILE_SIZE if client.max_file_size is None else client.max_file_size
            ),
            config_source=config.source,
            show_syntax_errors=client.show_syntax_errors is not False,
        )
