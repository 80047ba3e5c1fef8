"""Which fix each rule's findings get: the fix builders by rule code."""

from __future__ import annotations

from collections.abc import Callable

from unleak.findings.model import Fix
from unleak.findings.module import LeakContext
from unleak.findings.patterns import TaskContext, UnboundContext
from unleak.fixes.rewrite_blocks import leak_fix
from unleak.fixes.rewrite_misc import closing_fix, keep_task_fix, move_before_try


def _leak(context: object) -> Fix | None:
    return leak_fix(context) if isinstance(context, LeakContext) else None


def _closing(context: object) -> Fix | None:
    return closing_fix(context) if isinstance(context, LeakContext) else None


def _before_try(context: object) -> Fix | None:
    if not isinstance(context, UnboundContext):
        return None
    return move_before_try(context.module, context.body, context.call, context.try_stmt)


def _keep_task(context: object) -> Fix | None:
    if not isinstance(context, TaskContext):
        return None
    return keep_task_fix(context.module, context.scope, context.body, context.call)


BUILDERS: dict[str, Callable[[object], Fix | None]] = {
    "UL101": _leak,
    "UL102": _leak,
    "UL103": _closing,
    "UL104": _before_try,
    "UL105": _leak,
    "UL107": _leak,
    "UL108": _keep_task,
}


def build_fix(code: str, context: object) -> Fix | None:
    """The fix for a finding of ``code`` at ``context`` (what the engine knows of its site)."""
    build = BUILDERS.get(code)
    return build(context) if build is not None else None
