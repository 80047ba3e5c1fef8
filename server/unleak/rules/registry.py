"""The rule registry: every rule module, in the order of their codes."""

from __future__ import annotations

from unleak.rules import (
    ul001_syntax_error,
    ul101_not_released,
    ul102_exception_path,
    ul103_with_does_not_release,
    ul104_unbound_in_finally,
    ul105_lock_not_released,
    ul106_class_never_releases,
    ul107_reassigned_before_release,
    ul108_dropped_task,
    ul109_cache_keeps_instances,
    ul110_used_after_release,
)
from unleak.rules.base import Rule, rule_from_module

_MODULES = (
    ul001_syntax_error,
    ul101_not_released,
    ul102_exception_path,
    ul103_with_does_not_release,
    ul104_unbound_in_finally,
    ul105_lock_not_released,
    ul106_class_never_releases,
    ul107_reassigned_before_release,
    ul108_dropped_task,
    ul109_cache_keeps_instances,
    ul110_used_after_release,
)
ALL_RULES: tuple[Rule, ...] = tuple(rule_from_module(m) for m in _MODULES)
RULES_BY_CODE: dict[str, Rule] = {r.code: r for r in ALL_RULES}
