"""Engine settings: which rules run, their severities, and user-declared resources.

Plain data; front ends (CLI, language server) build it from their own configuration sources.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    HINT = "hint"


@dataclass(frozen=True)
class ExtraResource:
    """A user-declared resource factory, e.g. ``mylib.connect`` released by ``close``."""

    factory: str
    release: tuple[str, ...] = ("close",)
    kind: str = "resource"
    with_releases: bool = True


@dataclass(frozen=True)
class Settings:
    select: tuple[str, ...] = ()  # empty: every rule that is on by default
    # Added to `select` (or to the default rules): how rules that are off by default are
    # turned on without listing all the others.
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severities: tuple[tuple[str, Severity], ...] = ()
    extra_resources: tuple[ExtraResource, ...] = ()
    # The severity of a finding that leaks only if a statement that almost never fails
    # raises (a socket option, `chmod`, a log handler's formatter): per code, default info.
    unlikely_severities: tuple[tuple[str, Severity], ...] = ()
    # The oldest Python the project supports (`requires-python` in pyproject.toml), if known:
    # syntax newer than that is a real error, newer only than unleak's Python is not.
    python_floor: tuple[int, int] | None = None
    # Other project modules' functions that return a fresh resource: qualified name ->
    # (resource type, tuple element types). Filled by front ends from `ModuleReport.exports`.
    external_summaries: dict[str, tuple[str, tuple[str | None, ...]]] = field(
        default_factory=dict, compare=False, hash=False
    )

    # Rules that run whatever `select`/`ignore` say: the fixes' own check needs UL110.
    forced: tuple[str, ...] = ()

    def enabled(self, code: str, *, on_by_default: bool = True) -> bool:
        """Whether ``code`` runs. A rule that is off by default runs only when `select` or
        `extend-select` names its full code: a prefix (``UL1``) selects only default rules."""
        if code in self.forced:
            return True
        if not on_by_default and code not in self.select + self.extend_select:
            return False
        chosen = self.select + self.extend_select if self.select else ()
        if chosen and not any(code.startswith(s) for s in chosen):
            return False
        return not any(code.startswith(i) for i in self.ignore)

    def severity_for(self, code: str, default: Severity) -> Severity:
        for c, sev in self.severities:
            if c == code:
                return sev
        return default

    def unlikely_severity_for(self, code: str, usual: Severity) -> Severity:
        """The severity of a finding of ``code`` whose leaking paths all need an improbable
        failure; never more severe than the code's usual severity."""
        for c, sev in self.unlikely_severities:
            if c == code:
                chosen = sev
                break
        else:
            chosen = Severity.INFO
        order = list(Severity)
        return chosen if order.index(chosen) >= order.index(usual) else usual
