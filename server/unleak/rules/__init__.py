"""The rules: one module per rule, organised by defect; `registry` lists them all.

``ALL_RULES`` and ``RULES_BY_CODE`` are the registry's, imported on first use: importing a
rule imports the engine, which a warm check (everything from the cache) never needs; it
names the rules of its findings from `names`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from unleak.rules.registry import ALL_RULES, RULES_BY_CODE

__all__ = ["ALL_RULES", "RULES_BY_CODE"]


def __getattr__(name: str) -> object:
    if name in __all__:
        from unleak.rules import registry

        return getattr(registry, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
