"""Which definitions an edit that changes one function's summary reaches (see
`LiveModule._with_callers`).

A summary is consulted by name: a call `f(...)`, `self.f(...)`, `obj.f(...)`, `Cls(...)` (its
constructor), `f` handed on as a callable. So the definitions whose findings can change are
those whose text names the edited function, or names another definition whose summary changed
in turn (its own text names a changed one), to a fixed point. Each summary on the way is
compared, computed afresh with the edited function in place, with the last full analysis's:
an unchanged one stops the walk there. The walk gives up (the edit is analysed in full) when a
changed name is read outside functions (module- or class-level code, an import; not a comment,
a docstring or `__all__`),
when what the module's other facts read of a summary changes (whether and what it returns: the
trigger words, the resource classes, attribute types), or when the name is a special method
(the language calls those without naming them).
"""

from __future__ import annotations

import ast
import bisect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from unleak.findings.module import ModuleAnalysis
from unleak.summaries.functions import ModuleSummaries, fingerprint

_FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
# More definitions to analyse again than this: a full analysis (which reuses the others).
MAX_CALLERS = 40


class Definition(Protocol):
    """What the walk reads of a `live.Region`."""

    @property
    def first(self) -> int: ...
    @property
    def last(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def key(self) -> str: ...
    @property
    def base_node(self) -> _FunctionNode: ...
    @property
    def parent(self) -> ast.ClassDef | None: ...
    @property
    def direct(self) -> bool: ...


@dataclass(frozen=True)
class Changed:
    """An edited function whose summary differs from the last full analysis's (``index``
    among the regions), the names whose summaries differ with it, and the definitions analysed
    again for it (indexes among the regions)."""

    index: int
    names: frozenset[str]
    dependents: frozenset[int]


def with_member(parent: ast.ClassDef, old: ast.stmt, new: ast.stmt) -> ast.ClassDef:
    """A copy of the class ``parent`` (its header and positions) with ``new`` in the place of
    its member ``old``; ``parent`` is left as it is."""
    return ast.ClassDef(
        name=parent.name,
        bases=parent.bases,
        keywords=parent.keywords,
        body=[new if m is old else m for m in parent.body],
        decorator_list=parent.decorator_list,
        lineno=parent.lineno,
        col_offset=parent.col_offset,
        end_lineno=parent.end_lineno,
        end_col_offset=parent.end_col_offset,
    )


def patched_summaries(
    base: ModuleAnalysis, parent: ast.ClassDef | None, old: _FunctionNode, new: _FunctionNode
) -> ModuleSummaries:
    """The module's summaries, computed afresh when asked, with ``new`` in the place of
    ``old`` (a module-level function, or a method of the module-level class ``parent``)."""
    body: list[ast.stmt] = []
    for stmt in base.parsed.tree.body:
        if stmt is old:
            body.append(new)
        elif parent is not None and stmt is parent and new is not old:
            body.append(with_member(parent, old, new))
        else:
            body.append(stmt)
    old_summaries = base.summaries
    summaries = ModuleSummaries(
        ast.Module(body=body, type_ignores=[]),
        base.resolver,
        base.catalogue,
        old_summaries.external,
        old_summaries.facts,
    )
    # Filled in by the full analysis (module-level names typed by what they are bound to).
    summaries.module_types = old_summaries.module_types
    return summaries


def summary_key(summaries: ModuleSummaries, region: Definition) -> str | None:
    """The key of the summary callers see of a definition; None when it has none."""
    if not region.direct:
        return None
    parent = region.parent
    if parent is None:
        return region.name if summaries.defs.get(region.name) is region.base_node else None
    if summaries.class_defs.get(parent.name) is not parent:
        return None
    members = [m for m in parent.body if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))]
    if [m for m in members if m.name == region.name][-1] is not region.base_node:
        return None
    return region.key


def fingerprint_in(summaries: ModuleSummaries, key: str) -> tuple[object, ...]:
    """What callers see of the function or method ``key`` ("Cls.name")."""
    cls_name, _, method = key.partition(".")
    if method:
        cls = summaries.classes.get(cls_name)
        return fingerprint(cls.methods.get(method) if cls is not None else None)
    return fingerprint(summaries.functions.get(key))


def _special(name: str) -> bool:
    return name.startswith("__") and name.endswith("__")


def reached(
    base: ModuleSummaries,
    earlier: ModuleSummaries,
    summaries: ModuleSummaries,
    text: str,
    regions: list[Definition],
    firsts: list[int],
    lasts: list[int],
    index: int,
    inert: Callable[[int], bool],
) -> Changed | str:
    """The names whose summaries change with the edited function (``regions[index]``, whose
    new definition ``summaries`` holds; ``earlier``: the full analysis's tree's, ``base``: its
    own) and the definitions that name them, in ``text`` (the edited module:
    ``firsts``/``lasts`` are the regions' lines there); or why the edit needs a full analysis.
    ``inert(line)``: whether a line outside the regions names nothing code can call (a
    comment, a docstring, `__all__`'s strings)."""
    if not text.isascii():
        return "not ASCII"  # NFKC could make a name of other characters
    names: set[str] = set()
    dependents: set[int] = set()
    queue: list[str] = []
    compared: set[str] = set()

    def compare(key: str, name: str, old: tuple[object, ...], new: tuple[object, ...]) -> str:
        compared.add(key)
        if old == new:
            return ""
        if old[:3] != new[:3]:
            return f"what `{key}` returns changed"
        if _special(name):
            return f"`{key}`'s summary changed"
        if name not in names:
            names.add(name)
            queue.append(name)
        return ""

    def constructor(class_name: str) -> str:
        key = f"new:{class_name}"
        if key in compared:
            return ""
        old = fingerprint(earlier.constructors.get(class_name))
        new = fingerprint(summaries.constructors.get(class_name))
        return compare(key, class_name, old, new)

    edited = regions[index]
    key = summary_key(base, edited)
    if key is None:
        return "not summarised"
    old = fingerprint_in(earlier, key)
    why = compare(key, edited.name, old, fingerprint_in(summaries, key))
    if why:
        return why
    if edited.parent is not None and (why := constructor(edited.parent.name)):
        return why
    while queue:
        name = queue.pop()
        for line in lines_naming(text, name):
            i = bisect.bisect_right(firsts, line) - 1
            if i < 0 or line > lasts[i]:
                if inert(line):
                    continue
                return f"`{name}` named outside functions"
            if i == index or i in dependents:
                continue
            dependents.add(i)
            if len(dependents) > MAX_CALLERS:
                return "too many callers"
            region = regions[i]
            key = summary_key(base, region)
            if key is not None:
                if key not in compared:
                    old = fingerprint_in(earlier, key)
                    why = compare(key, region.name, old, fingerprint_in(summaries, key))
                    if why:
                        return why
                if region.parent is not None and (why := constructor(region.parent.name)):
                    return why
            elif region.parent is None and not region.direct and region.name not in names:
                # Defined in a branch of a module-level `if`/`try`: what a call of it can
                # raise is read from its body (`_fails_in_branches`), not kept as a summary.
                if _special(region.name):
                    return f"`{region.name}` named"
                names.add(region.name)
                queue.append(region.name)
    return Changed(index, frozenset(names), frozenset(dependents))


def lines_naming(text: str, word: str) -> list[int]:
    """The lines (1-based, ascending) where ``word`` occurs as a whole word in the ASCII
    ``text``."""
    out: list[int] = []
    line, at = 1, 0
    i = text.find(word)
    while i != -1:
        end = i + len(word)
        if (i == 0 or not _word_char(text[i - 1])) and (
            end == len(text) or not _word_char(text[end])
        ):
            line += text.count("\n", at, i)
            at = i
            if not out or out[-1] != line:
                out.append(line)
        i = text.find(word, end)
    return out


def _word_char(c: str) -> bool:
    return c.isalnum() or c == "_"
