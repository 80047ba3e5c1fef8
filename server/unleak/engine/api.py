"""The engine's entry points, shared by every front end."""

from __future__ import annotations

import tokenize
from dataclasses import dataclass, field
from io import BytesIO

from unleak.engine.findings import Finding
from unleak.engine.incremental import UnitCache
from unleak.engine.settings import Settings


class SourceDecodeError(Exception):
    """The bytes of a file cannot be decoded as Python source."""


def decode_source(data: bytes) -> str:
    """Decode Python source bytes honouring BOM and PEP 263 coding cookies."""
    try:
        encoding, _ = tokenize.detect_encoding(BytesIO(data).readline)
        return data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError) as exc:
        raise SourceDecodeError(f"cannot decode source: {exc}") from None


def check_source(
    text: str, path: str = "<stdin>", settings: Settings | None = None
) -> list[Finding]:
    """Analyse one module's text and return its findings, sorted by position.

    Never raises for bad input: syntax errors become UL001 findings.
    """
    return analyse_source(text, path, settings).findings


@dataclass(frozen=True)
class ModuleReport:
    findings: list[Finding]
    # Functions of this module that return a fresh resource: qualified name -> resource type
    # and tuple element types. Other modules' calls of them are acquisitions.
    exports: dict[str, tuple[str, tuple[str | None, ...]]] = field(default_factory=dict)
    # Qualified names this module imports (to know which exports it may use).
    imports: frozenset[str] = frozenset()


def analyse_source(
    text: str,
    path: str = "<stdin>",
    settings: Settings | None = None,
    module_name: str = "",
    unit_cache: UnitCache | None = None,
) -> ModuleReport:
    """Like `check_source`, also returning what other modules need to know about this one.

    `module_name` (dotted) resolves relative imports and names the exports;
    `settings.external_summaries` holds other modules' exports. An editor passes the same
    `unit_cache` for every analysis of a document: functions whose text and context did not
    change reuse their findings.
    """
    from unleak.engine.analyzer import analyse_module_report

    return analyse_module_report(text, path, settings or Settings(), module_name, unit_cache)
