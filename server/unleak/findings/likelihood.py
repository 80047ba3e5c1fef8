"""Leaks whose only paths go through statements that almost never fail.

The flow analysis re-runs each site with exception leaks taking such statements not to raise
(`SiteResult.likely`). If the finding's kind of leak is still there, its explanation is taken
from that run, so the message names a statement that plausibly fails; if not, every leaking
path needs an improbable failure and the finding gets the settings' lower severity.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from unleak.catalogue.failures import Callee, Qualify, unlikely_to_fail
from unleak.flow.cfg import can_raise
from unleak.flow.ownership import Leak, SiteResult

Classify = Callable[[SiteResult], tuple[str, Leak]]


def plausible_leak(code: str, res: SiteResult, leak: Leak, classify: Classify) -> Leak | None:
    """The leak to explain ``code`` with, on a path a likely failure takes; None when the
    finding leaks only if a statement that almost never fails raises."""
    if not leak.on_exception or res.likely is None:
        return leak
    if not res.likely:
        return None
    again = SiteResult(res.info, res.likely, res.handled_somewhere)
    code2, leak2 = classify(again)
    return leak2 if code2 == code else None


def likely_raisers(stmts: list[ast.stmt], qualify: Qualify, callee: Callee) -> list[ast.stmt]:
    """The statements among ``stmts`` that plausibly raise: those that can raise at all,
    unless every way they can is a call that almost never fails (see catalogue/failures.py).
    A compound statement counts as a whole (its condition and its body's statements)."""
    return [s for s in stmts if can_raise(s) and not unlikely_to_fail(s, qualify, callee)]
