"""Which classes a method cache (`@lru_cache` on a method) can keep alive in a way that
matters: not immutable value types, not classes with one long-lived instance per process."""

from __future__ import annotations

import ast
from collections.abc import Callable

Qualify = Callable[[ast.expr], "str | None"]

# Bases whose instances are immutable values: caching on them is caching on the value.
_VALUE_BASES = frozenset(
    {
        "typing.NamedTuple",
        "typing_extensions.NamedTuple",
        "collections.namedtuple",
        "enum.Enum",
        "enum.IntEnum",
        "enum.StrEnum",
        "enum.Flag",
        "enum.IntFlag",
        "enum.ReprEnum",
        "builtins.tuple",
        "builtins.str",
        "builtins.int",
        "builtins.frozenset",
        "builtins.bytes",
    }
)
# Decorators that make a frozen class whatever their arguments.
_FROZEN_DECORATORS = frozenset({"attr.frozen", "attrs.frozen", "pydantic.dataclasses.dataclass"})
# Decorators that make a frozen class with `frozen=True`.
_FREEZABLE_DECORATORS = frozenset(
    {
        "dataclasses.dataclass",
        "attr.s",
        "attr.attrs",
        "attr.define",
        "attrs.define",
        "attr.mutable",
        "attrs.mutable",
    }
)


def is_value_type(
    cls: ast.ClassDef, qualify: Qualify, local: dict[str, ast.ClassDef], depth: int = 0
) -> bool:
    """A NamedTuple, an Enum, a frozen dataclass or attrs class (or a subclass of a local
    one): equal instances are interchangeable, so the cache holds values, not objects."""
    for deco in cls.decorator_list:
        func = deco.func if isinstance(deco, ast.Call) else deco
        qual = qualify(func)
        if qual in _FROZEN_DECORATORS:
            return True
        if (
            qual in _FREEZABLE_DECORATORS
            and isinstance(deco, ast.Call)
            and any(
                k.arg == "frozen" and isinstance(k.value, ast.Constant) and k.value.value is True
                for k in deco.keywords
            )
        ):
            return True
    for base in cls.bases:
        func = base.func if isinstance(base, ast.Call) else base  # namedtuple("P", "x y")
        qual = qualify(func)
        if qual in _VALUE_BASES:
            return True
        parent = local.get(base.id) if isinstance(base, ast.Name) else None
        if (
            parent is not None
            and parent is not cls
            and depth < 8
            and is_value_type(parent, qualify, local, depth + 1)
        ):
            return True
    kw = next((k for k in cls.keywords if k.arg == "metaclass"), None)
    return kw is not None and (qualify(kw.value) or "").startswith("enum.")


def module_singletons(tree: ast.Module) -> frozenset[str]:
    """Classes instantiated at module level (`registry = Registry()`): one instance for
    the life of the process, which the cache keeping alive costs nothing."""
    out: set[str] = set()
    for stmt in tree.body:
        value = stmt.value if isinstance(stmt, (ast.Assign, ast.AnnAssign)) else None
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Name):
            out.add(value.func.id)
    return frozenset(out)
