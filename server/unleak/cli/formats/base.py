"""What every format is given: the results of the run, in order."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from unleak.cli.results import FileResult
from unleak.rules.names import RULE_NAMES

if TYPE_CHECKING:
    from unleak.findings.model import Finding


@dataclass(frozen=True)
class Report:
    results: Sequence[FileResult]
    quiet: bool = False
    unsafe: bool = False  # --unsafe-fixes: unsafe fixes count as applicable
    fixed: int | None = None  # with --fix: how many fixes were applied
    # With --trace: (path, line, column, code) -> times the run saw the leak (0: not seen).
    runtime: Mapping[tuple[str, int, int, str], int] | None = field(default=None)

    def fixable(self, finding: Finding) -> bool:
        """Whether ``--fix`` (with this run's ``--unsafe-fixes``) would apply its fix."""
        fix = finding.fix
        return fix is not None and bool(fix.edits) and (fix.safe or self.unsafe)

    def hidden(self, finding: Finding) -> bool:
        """Whether its fix is unsafe and ``--unsafe-fixes`` was not given."""
        fix = finding.fix
        return fix is not None and bool(fix.edits) and not fix.safe and not self.unsafe

    def findings(self) -> Iterator[tuple[str, Finding]]:
        for result in self.results:
            for finding in result.findings:
                yield result.display, finding

    def runtime_count(self, path: str, finding: Finding) -> int | None:
        """With --trace: how often the run saw this leak (0: never); None without --trace."""
        if self.runtime is None:
            return None
        return self.runtime.get((path, finding.span.line, finding.span.column, finding.code), 0)

    @property
    def errors(self) -> list[FileResult]:
        return [r for r in self.results if r.error is not None]


def rule_name(code: str) -> str:
    return RULE_NAMES.get(code, "")


def confirmed_note(count: int | None) -> str:
    """The suffix for a finding an ``unleak trace`` run saw ``count`` times, else ``""``."""
    return f" [confirmed at run time \u00d7{count}]" if count else ""


def plural(n: int, word: str, suffix: str = "s") -> str:
    return f"{n} {word}{'' if n == 1 else suffix}"
