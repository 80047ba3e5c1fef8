"""Findings about classes as a whole: a resource stored on `self` that no method releases."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from unleak.findings.messages import call_text, made_by
from unleak.findings.model import Finding, Related
from unleak.summaries.classes import class_resources

if TYPE_CHECKING:
    from unleak.findings.module import ModuleAnalysis


def classes_never_releasing(module: ModuleAnalysis, code: str) -> Iterator[Finding]:
    for name, info in class_resources(module).items():
        if not info.checkable or "*" in info.handled:
            continue
        for attr, (call, _method, rtype) in info.acquired.items():
            if attr in info.handled or rtype == "lock":
                continue
            rt = module.catalogue.types[rtype]
            span = module.source.span(call)
            message = (
                f"`{name}` keeps the {rt.noun} {made_by(rt.name)} `{call_text(call)}` in "
                f"`self.{attr}`, but none of its methods releases it; add a `close()` method "
                "(and `__exit__`) that does"
            )
            note = f"the {rt.noun} is stored in `self.{attr}` here"
            yield module.finding(code, message, span, (Related(span, note),))
