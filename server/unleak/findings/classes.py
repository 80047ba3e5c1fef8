"""Findings about classes as a whole: a resource stored on `self` that no method releases."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from unleak.findings.messages import call_text, made_by
from unleak.findings.model import Finding, Related
from unleak.summaries.classes import ClassResources, class_resources

if TYPE_CHECKING:
    from unleak.findings.module import ModuleAnalysis


def classes_never_releasing(module: ModuleAnalysis, code: str) -> Iterator[Finding]:
    for name, info in class_resources(module).items():
        yield from class_never_releasing(module, name, info, code)


def class_never_releasing(
    module: ModuleAnalysis, name: str, info: ClassResources, code: str
) -> Iterator[Finding]:
    """The findings of one class (``info``: what the class scan found of it; those of one
    method alone when an editor re-analyses it, see `pipeline/stored.py`)."""
    if not info.checkable or "*" in info.handled:
        return
    for attr, (call, _method, rtype) in info.acquired.items():
        if attr in info.handled or rtype == "lock":
            continue
        rt = module.catalogue.types[rtype]
        span = module.source.span(call)
        public = not attr.startswith("_")
        if public:
            # A public attribute may be the class's way of handing the resource to its
            # users (`proc.stdout`, documented as theirs to close): unsure, so quieter.
            message = (
                f"`{name}` keeps the {rt.noun} {made_by(rt.name)} `{call_text(call)}` in "
                f"the public `self.{attr}` and no method releases it; add a `close()` "
                "that does, unless its users are meant to"
            )
        else:
            message = (
                f"`{name}` keeps the {rt.noun} {made_by(rt.name)} `{call_text(call)}` in "
                f"`self.{attr}`, but none of its methods releases it; add a `close()` "
                "method (and `__exit__`) that does"
            )
        note = f"the {rt.noun} is stored in `self.{attr}` here"
        found = module.finding(code, message, span, (Related(span, note),))
        if public:
            found = replace(
                found, severity=module.settings.unlikely_severity_for(code, found.severity)
            )
        yield found
