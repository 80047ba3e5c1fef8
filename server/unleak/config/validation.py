"""Strict validation of the raw ``[tool.unleak]`` table into a :class:`Config`.

Every problem is a :class:`ConfigError` naming the file and the key, so a typo in a
configuration never silently turns a check off.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from unleak.config.errors import ConfigError
from unleak.config.model import Config
from unleak.settings import ExtraResource, Severity

KNOWN_KEYS = (
    "select",
    "extend-select",
    "ignore",
    "per-file-ignores",
    "exclude",
    "extend-exclude",
    "severity",
    "unlikely-severity",
    "extra-resources",
)
RESOURCE_KEYS = ("factory", "release", "kind", "with-releases")
_DOTTED_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def known_codes() -> tuple[str, ...]:
    from unleak.rules import ALL_RULES  # the registry, only when codes are configured

    return tuple(rule.code for rule in ALL_RULES)


def check_code_prefix(value: str, where: str) -> str:
    """Accept a full rule code or a prefix of at least one (``UL1``, ``UL``)."""
    code = value.strip().upper()
    if not code or not any(c.startswith(code) for c in known_codes()):
        hint = _suggest(code, known_codes())
        raise ConfigError(f"{where}: unknown rule code or prefix {value!r}{hint}")
    return code


def validate(raw: Mapping[str, Any], source: Path, root: Path) -> Config:
    where = f"{source}: [tool.unleak]"
    for key in raw:
        if key not in KNOWN_KEYS:
            hint = _suggest(key, KNOWN_KEYS)
            raise ConfigError(f"{where}: unknown key {key!r}{hint}")
    return Config(
        root=root,
        source=source,
        select=_codes(raw, "select", where),
        extend_select=_codes(raw, "extend-select", where),
        ignore=_codes(raw, "ignore", where),
        per_file_ignores=_per_file_ignores(raw.get("per-file-ignores", {}), where),
        exclude=_patterns(raw, "exclude", where),
        extend_exclude=_patterns(raw, "extend-exclude", where),
        severity=_severities(raw.get("severity", {}), where),
        unlikely_severity=_severities(
            raw.get("unlikely-severity", {}), where, "unlikely-severity"
        ),
        extra_resources=_resources(raw.get("extra-resources", []), where),
    )


def _suggest(value: str, choices: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(value, choices, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _type_name(value: object) -> str:
    return {
        str: "a string",
        bool: "a boolean",
        int: "an integer",
        float: "a float",
        list: "an array",
        dict: "a table",
    }.get(type(value), type(value).__name__)


def _string_list(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ConfigError(f"{where}: expected an array of strings, got {_type_name(value)}")
    for i, item in enumerate(value):
        if not isinstance(item, str):
            raise ConfigError(f"{where}[{i}]: expected a string, got {_type_name(item)}")
    return tuple(value)


def _strings(raw: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    return _string_list(raw.get(key, []), f"{where} {key}")


def _patterns(raw: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    patterns = _strings(raw, key, where)
    for i, pattern in enumerate(patterns):
        _check_pattern(pattern, f"{where} {key}[{i}]")
    return patterns


def _check_pattern(pattern: str, where: str) -> None:
    from pathspec import GitIgnoreSpec  # slow to import: only when there are patterns

    try:
        GitIgnoreSpec.from_lines([pattern])
    # pathspec's pattern errors are ValueErrors, except a bad regex range (`[z-a]`): re.error.
    except (ValueError, re.error) as exc:
        raise ConfigError(f"{where}: invalid pattern {pattern!r}: {exc}") from None


def _codes(raw: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    values = _strings(raw, key, where)
    return tuple(check_code_prefix(v, f"{where} {key}") for v in values)


def _table(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: expected a table, got {_type_name(value)}")
    return value


def _per_file_ignores(value: object, where: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    where = f"{where} per-file-ignores"
    result = []
    for glob, codes in _table(value, where).items():
        entry = f"{where}.{glob!r}"
        _check_pattern(glob, entry)
        checked = tuple(check_code_prefix(c, entry) for c in _string_list(codes, entry))
        result.append((glob, checked))
    return tuple(result)


def _severities(
    value: object, where: str, key: str = "severity"
) -> tuple[tuple[str, Severity], ...]:
    where = f"{where} {key}"
    levels = tuple(s.value for s in Severity)
    chosen: dict[str, Severity] = {}
    # Shorter prefixes first so that a more specific entry (UL101 after UL1) wins.
    for prefix, level in sorted(_table(value, where).items(), key=lambda kv: len(kv[0])):
        entry = f"{where}.{prefix}"
        code = check_code_prefix(prefix, where)
        if not isinstance(level, str) or level.lower() not in levels:
            raise ConfigError(
                f"{entry}: unknown severity {level!r} (expected one of: {', '.join(levels)})"
            )
        for known in known_codes():
            if known.startswith(code):
                chosen[known] = Severity(level.lower())
    return tuple(sorted(chosen.items()))


def _resources(value: object, where: str) -> tuple[ExtraResource, ...]:
    where = f"{where} extra-resources"
    if not isinstance(value, list):
        raise ConfigError(f"{where}: expected an array of tables, got {_type_name(value)}")
    return tuple(_resource(item, f"{where}[{i}]") for i, item in enumerate(value))


def _resource(value: object, where: str) -> ExtraResource:
    table = _table(value, where)
    for key in table:
        if key not in RESOURCE_KEYS:
            raise ConfigError(f"{where}: unknown key {key!r}{_suggest(key, RESOURCE_KEYS)}")
    factory = table.get("factory")
    if factory is None:
        raise ConfigError(f"{where}: missing key 'factory' (a dotted name such as 'mylib.connect')")
    if not isinstance(factory, str) or not _DOTTED_NAME.match(factory):
        raise ConfigError(
            f"{where} factory: expected a dotted name such as 'mylib.connect', got {factory!r}"
        )
    release = _string_list(table.get("release", ["close"]), f"{where} release")
    if not release:
        raise ConfigError(f"{where} release: expected at least one method name")
    for name in release:
        if not _IDENTIFIER.match(name):
            raise ConfigError(f"{where} release: {name!r} is not a method name")
    kind = table.get("kind", "resource")
    if not isinstance(kind, str) or not kind:
        raise ConfigError(f"{where} kind: expected a non-empty string, got {kind!r}")
    with_releases = table.get("with-releases", True)
    if not isinstance(with_releases, bool):
        raise ConfigError(
            f"{where} with-releases: expected a boolean, got {_type_name(with_releases)}"
        )
    return ExtraResource(factory=factory, release=release, kind=kind, with_releases=with_releases)
