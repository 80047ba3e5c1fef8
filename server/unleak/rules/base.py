"""What every rule module provides, and the helper that turns its docstring into docs."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING

from unleak.findings.model import Finding
from unleak.settings import Severity

if TYPE_CHECKING:
    from unleak.findings.module import ModuleAnalysis

# The rule documentation, relative to the root of an unleak checkout or installed extension
# (there is no public web page to link to; editors open the installed file, see lsp/rule_docs).
DOCS_URL = "docs/rules.md"


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    summary: str
    doc: str
    check: Callable[[ModuleAnalysis], Iterable[Finding]]
    # What its fix does, in a sentence ("" when it has none); unleak.fixes builds it.
    fix: str = ""
    # Findings that depend on the whole module (syntax errors, a class's methods together)
    # rather than on one definition at a time; an edit inside one function cannot re-check
    # them alone.
    module_wide: bool = False
    # Off unless `select`/`extend-select` names the code: rules whose measured precision on
    # real code is below what a default warning must reach (bench/precision).
    on_by_default: bool = True

    @property
    def url(self) -> str:
        return f"{DOCS_URL}#{self.code.lower()}-{self.name}"

    def section(self, title: str) -> str:
        """One ``## Title`` section of the docstring (What it does, Why it matters, ...)."""
        match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", self.doc, re.S | re.M)
        return match.group(1).strip() if match else ""


def rule_from_module(module: ModuleType) -> Rule:
    doc = inspect.cleandoc(module.__doc__ or "")
    summary, _, body = doc.partition("\n")
    return Rule(
        code=module.CODE,
        name=module.NAME,
        severity=module.SEVERITY,
        summary=summary.strip(),
        doc=body.strip(),
        check=module.check,
        fix=getattr(module, "FIX", ""),
        module_wide=getattr(module, "MODULE_WIDE", False),
        on_by_default=getattr(module, "ON_BY_DEFAULT", True),
    )
