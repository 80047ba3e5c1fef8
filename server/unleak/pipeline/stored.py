"""An edit of a method that stores a resource on `self` (`self.stdin = io.open(...)` in
`Popen.__init__`), analysed alone (see `LiveModule._partial`).

The class scan (`summaries.classes.class_resources`) reads such a method for the module: what
it stores on `self` (first store of each attribute wins, methods in class order), what it
releases or hands on (when its text mentions a stored attribute), and, for a class that may
become a resource type, the whole of its opening and releasing methods. Its findings (UL106,
a stored resource no method releases) sit at the stores, in the method. So the method can be
analysed alone when, scanned alone, it stores the same (the same types in the same
attributes) and releases the same, and the class can be a resource type neither
before nor after (whether it is one also depends on the release methods known when it is
registered); its UL106 findings are then made again from the last full analysis's scan of the
class, with the method's new stores.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from unleak.findings.classes import class_never_releasing
from unleak.findings.model import Finding
from unleak.findings.module import ModuleAnalysis
from unleak.findings.suppression import apply_suppressions
from unleak.names.triggers import TriggerIndex
from unleak.rules import RULES_BY_CODE
from unleak.summaries.classes import (
    ClassResources,
    class_resources,
    may_be_resource_type,
    mentions_pattern,
    related_classes,
    scan_acquisitions,
    scan_handling,
    stored_attributes,
)
from unleak.summaries.types import TypeScope

_FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
CODE = "UL106"


@dataclass(frozen=True)
class Stores:
    """What the class scan reads of one method: its stores scanned alone (attribute -> the
    method, the type) and what it releases (None when the scan does not read it: its text
    mentions no stored attribute). (The calls that store are read for the class's UL106
    findings, made again, and, for a class that may be a resource type, not handled here.)"""

    acquired: dict[str, tuple[str, str]]
    handling: tuple[frozenset[str], frozenset[str]] | None
    # The calls themselves, for the findings.
    calls: dict[str, tuple[ast.Call, str, str]]


def stores(
    base: ModuleAnalysis,
    parent: ast.ClassDef,
    method: _FunctionNode,
    lines: list[str],
    handling: bool = True,
) -> Stores | None:
    """What the class scan of ``base`` reads of ``method`` (a member of the module-level class
    ``parent``, or the edited version of one: ``lines`` are its lines, from its `def` on,
    without their line breaks); None when the scan would not read its stores (its text has
    no trigger word). ``handling=False``: its stores alone (its findings need no more)."""
    first = method.lineno
    text = "\n".join(lines)
    if not TriggerIndex(text + "\n", base.triggers.words, first).any_between(
        first, method.end_lineno or first
    ):
        return None
    scope = TypeScope(base.resolver, base.catalogue, base.summaries, class_name=parent.name)
    alone = ClassResources(parent)
    scan_acquisitions(method, scope, base, alone)
    acquired = {attr: (name, rtype) for attr, (_, name, rtype) in alone.acquired.items()}
    releases = None
    resources = class_resources(base)
    attrs = stored_attributes(resources, related_classes(resources))
    if handling and attrs and mentions_pattern(attrs).search(text):
        handled = ClassResources(parent)
        scan_handling(method, base, handled)
        releases = (frozenset(handled.handled), frozenset(handled.releasing_methods))
    return Stores(acquired, releases, dict(alone.acquired))


def same_stores(
    base: ModuleAnalysis, parent: ast.ClassDef, old: Stores | None, new: Stores | None
) -> bool:
    """Whether the class scan reads the same of the edited method (``new``) as of the full
    analysis's (``old``), and the class cannot be a resource type either way."""
    if old is None or new is None or old.acquired != new.acquired or old.handling != new.handling:
        return False
    info = class_resources(base).get(parent.name)
    return (
        info is not None
        and info.node is parent
        and f"class:{parent.name}" not in base.catalogue.types
        and not may_be_resource_type(info)
    )


def stored_findings(
    part: ModuleAnalysis,
    base: ModuleAnalysis,
    parent: ast.ClassDef,
    method: _FunctionNode,
    new: Stores,
) -> list[Finding]:
    """The UL106 findings that sit in the edited method (``part``: its analysis alone, of the
    edited text), from the full analysis's scan of its class with the method's stores."""
    rule = RULES_BY_CODE.get(CODE)
    if rule is None or not base.settings.enabled(CODE, on_by_default=rule.on_by_default):
        return []
    info = class_resources(base).get(parent.name)
    if info is None or info.node is not parent:
        return []
    mine = {
        attr: new.calls[attr]
        for attr, (_, name, _) in info.acquired.items()
        if name == method.name and attr in new.calls
    }
    scanned = ClassResources(parent, mine, info.handled, info.releasing_methods, info.checkable)
    found = list(class_never_releasing(part, parent.name, scanned, CODE))
    return apply_suppressions(found, part.source)
