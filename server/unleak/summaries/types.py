"""Light type inference: which resource type or known class a call returns, and what is
known about a scope's names before any flow analysis."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from unleak.catalogue import CLASS_CONSTRUCTORS, LOCKS, PATH_RETURNING_METHODS, Catalogue
from unleak.names.resolver import NameResolver

if TYPE_CHECKING:
    from unleak.summaries.functions import FunctionSummary, ModuleSummaries


@dataclass
class TypeScope:
    """The names a definition can resolve, and the types known for its locals and
    attributes."""

    resolver: NameResolver
    catalogue: Catalogue
    summaries: ModuleSummaries
    class_name: str | None = None
    module_scope: bool = False
    var_types: dict[str, str] = field(default_factory=dict)  # local name -> type/class name
    attr_types: dict[str, str] = field(default_factory=dict)  # "self.x" -> type/class name


def call_type(call: ast.Call, scope: TypeScope) -> str | None:
    """The class or resource type a call returns, when the catalogue knows it."""
    qual = scope.resolver.qualify(call.func)
    if qual is not None:
        if qual in CLASS_CONSTRUCTORS:
            return CLASS_CONSTRUCTORS[qual]
        if qual in LOCKS.constructors:
            return "lock"
        factory = scope.catalogue.factories.get(qual)
        if factory is not None and not factory.elements:
            return factory.type
    if isinstance(call.func, ast.Attribute):
        inner = call.func.value
        if (
            call.func.attr in PATH_RETURNING_METHODS
            and isinstance(inner, ast.Call)
            and call_type(inner, scope) == "pathlib.Path"
        ):
            return "pathlib.Path"
    if isinstance(call.func, ast.Name):
        summary: FunctionSummary | None = scope.summaries.functions.get(call.func.id)
        if summary is not None and summary.returns and not summary.return_elements:
            return summary.returns
    return None
