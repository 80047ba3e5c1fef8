"""The project index: module summaries linked through imports, aliases, relative imports
and package re-exports (`__init__` imports, `from m import *` under `__all__`), to a fixed
point across modules (a factory returning another module's factory's result is a factory).

Each module gets its *view*: a spec (see :mod:`unleak.summaries.external`) for every
qualified name it imports that is a factory, a resource class or a function that releases
or borrows its parameters. Views are what the CLI's cache keys and the language server
compares: a module is analysed again only when its view changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from unleak.index.model import ModuleSummary

Spec = tuple[Any, ...]
_MISSING: Spec = ()
# A base adding nothing: no bases, mentions, releasing methods or `with` support.
_NEUTRAL_BASE: tuple[Any, ...] = ((), (), (), False)
_T = TypeVar("_T")


class ProjectIndex:
    def __init__(self, summaries: Iterable[ModuleSummary] = ()) -> None:
        self.modules: dict[str, ModuleSummary] = {}
        self._specs: dict[str, tuple[str, Spec] | None] = {}  # qual -> (canonical, spec)
        # Answers that depend on every summary, forgotten whenever one changes: each module's
        # view asks them again for every module it imports.
        self._class_methods: dict[str, tuple[str, ...]] = {}
        self._exported: dict[str, list[str]] = {}
        for summary in summaries:
            self.modules[summary.name] = summary

    def put(self, summary: ModuleSummary) -> bool:
        """Add or replace a module's summary; whether it changed."""
        if not summary.name or self.modules.get(summary.name) == summary:
            return False
        self.modules[summary.name] = summary
        self._forget()
        return True

    def _forget(self) -> None:
        self._specs.clear()
        self._class_methods.clear()
        self._exported.clear()

    def remove(self, name: str) -> bool:
        if self.modules.pop(name, None) is None:
            return False
        self._forget()
        return True

    # -- resolution -----------------------------------------------------------------------

    def resolve(self, qual: str) -> tuple[str, Spec] | None:
        """The canonical name (where it is defined) and spec of what ``qual`` names."""
        if qual in self._specs:
            return self._specs[qual]
        found = self._resolve(qual, set())
        self._specs[qual] = found
        return found

    def _split(self, qual: str) -> tuple[str, str] | None:
        parts = qual.split(".")
        for i in range(len(parts) - 1, 0, -1):
            module = ".".join(parts[:i])
            if module in self.modules:
                rest = ".".join(parts[i:])
                # "Cls.method": a method of a plain class (see `_method`).
                return (module, rest) if rest.count(".") <= 1 else None
        return None

    def _resolve(self, qual: str, seen: set[str]) -> tuple[str, Spec] | None:
        if qual in self._specs:
            return self._specs[qual]
        if qual in seen:  # an import cycle, or a factory returning its own result
            return None
        seen.add(qual)
        split = self._split(qual)
        if split is None:
            return None
        module, name = split
        summary = self.modules[module]
        canonical = f"{module}.{name}"
        if "." in name:
            return self._method(summary, name, seen)
        if name in summary.classes:
            noun, release, with_releases, supports_with, opening, *tail = summary.classes[name]
            cls = ("c", noun, release, with_releases, supports_with, canonical, opening)
            return canonical, _with_tail(cls, (), *tail)
        if name in summary.pending:
            raw, bases, acquired = summary.pending[name]
            inherited = self._harmless(bases, frozenset(acquired), set())
            if inherited is None:
                return None
            noun, release, with_releases, supports_with, opening, *tail = raw
            if inherited[1] and not supports_with:
                # A base's `__exit__`, not seen here: a `with` the code has is assumed to
                # release, but none is suggested (it may call a method this class lacks).
                with_releases = True
            release = tuple(sorted({*release, *inherited[0]}))
            cls = ("c", noun, release, with_releases, supports_with, canonical, opening)
            return canonical, _with_tail(cls, (), *tail)
        if name in summary.owners:
            raw_class, callees, chooser, bases, acquired = summary.owners[name]
            if any(self._acquires(c, seen) for c in callees):
                noun, release, with_releases, supports_with, opening, *tail = raw_class
                if bases:
                    inherited = self._harmless(bases, frozenset(acquired), set())
                    if inherited is None:
                        return None
                    if inherited[1] and not supports_with:
                        with_releases = True  # as for a pending class, above
                    release = tuple(sorted({*release, *inherited[0]}))
                owner = ("c", noun, release, with_releases, supports_with, canonical, opening)
                # A class whose resource a caller may choose: the argument choosing it.
                return canonical, _with_tail(owner, chooser, *tail)
        if name in summary.wrappers:
            params, kwonly, owned, release, converted = summary.wrappers[name]
            return canonical, ("w", params, kwonly, owned, release, converted)
        if name in summary.functions:
            spec = self._function(summary.functions[name], seen)
            return (canonical, spec) if spec is not None else None
        return self._elsewhere(summary, name, lambda q: self._resolve(q, seen))

    def _elsewhere(
        self, summary: ModuleSummary, name: str, follow: Callable[[str], _T | None]
    ) -> _T | None:
        """``name`` of ``summary``'s module, defined in another: ``follow`` its import, or
        the modules it star-imports that export it (the first that answers)."""
        target = summary.imports.get(name)
        if target is not None:
            return follow(target)
        for star in summary.stars:
            star_summary = self.modules.get(star)
            if star_summary is not None and _star_exports(star_summary, name):
                found = follow(f"{star}.{name}")
                if found is not None:
                    return found
        return None

    def _method(self, summary: ModuleSummary, name: str, seen: set[str]) -> tuple[str, Spec] | None:
        """`Cls.method` of ``summary``'s module, a plain class's method returning a fresh
        resource: ("m", returns, elements). Followed through imports of the class."""
        cls, _, method = name.partition(".")
        for mname, returns, elements in summary.methods.get(cls, ()):
            if mname == method:
                return f"{summary.name}.{name}", ("m", returns, tuple(elements))
        for mname, params, kwonly, effects in summary.method_effects.get(cls, ()):
            if mname == method:
                spec = ("m", None, (), tuple(params), tuple(kwonly), tuple(effects))
                return f"{summary.name}.{name}", spec
        return self._elsewhere(summary, cls, lambda q: self._resolve(f"{q}.{method}", seen))

    def class_methods(self, qual: str, seen: set[str] | None = None) -> tuple[str, ...]:
        """The methods returning fresh resources of the plain class ``qual`` names (through
        imports and re-exports)."""
        if seen is None:
            known = self._class_methods.get(qual)
            if known is None:
                known = self._class_methods[qual] = self.class_methods(qual, set())
            return known
        if qual in seen:
            return ()
        seen.add(qual)
        split = self._split(qual)
        if split is None or "." in split[1]:
            return ()
        module, name = split
        summary = self.modules[module]
        if name in summary.methods or name in summary.method_effects:
            return (
                *(m for m, _, _ in summary.methods.get(name, ())),
                *(m for m, _, _, _ in summary.method_effects.get(name, ())),
            )
        return self._elsewhere(summary, name, lambda q: self.class_methods(q, seen) or None) or ()

    def _acquires(self, qual: str, seen: set[str]) -> bool:
        """Whether calling ``qual`` makes a resource (an instance of a resource class, or a
        factory's fresh result)."""
        found = self._resolve(qual, set(seen))
        if found is None:
            return False
        spec = found[1]
        return spec[0] == "c" or (spec[0] == "f" and spec[1] is not None)

    def _harmless(
        self, bases: tuple[str, ...], acquired: frozenset[str], seen: set[str]
    ) -> tuple[set[str], bool] | None:
        """The methods that may release and whether `with` is supported, inherited from
        ``bases``, if none of them (nor their own bases) may touch the ``acquired``
        attributes; None if one might, or is not a plain class of the project."""
        releasing: set[str] = set()
        supports_with = False
        for qual in bases:
            found = self._base(qual, seen)
            if found is None:
                return None
            deeper_bases, mentions, release, with_ = found
            if "*" in mentions or acquired.intersection(mentions):
                return None
            deeper = self._harmless(deeper_bases, acquired, seen)
            if deeper is None:
                return None
            releasing |= {*release, *deeper[0]}
            supports_with = supports_with or with_ or deeper[1]
        return releasing, supports_with

    def _base(self, qual: str, seen: set[str]) -> tuple[Any, ...] | None:
        """The plain class ``qual`` names, through imports and re-exports."""
        if qual in seen:
            return None
        seen.add(qual)
        split = self._split(qual)
        if split is None:
            return None
        module, name = split
        if "." in name:
            return None
        summary = self.modules[module]
        if name in summary.bases:
            return summary.bases[name]
        if name in summary.aliases:
            # `TableBase = with_typehint(Table)`: `object` at run time adds nothing.
            return _NEUTRAL_BASE if self._returns_object(summary.aliases[name], set()) else None
        return self._elsewhere(summary, name, lambda q: self._base(q, seen))

    def _returns_object(self, qual: str, seen: set[str]) -> bool:
        """Whether the function ``qual`` names returns the class `object` at run time."""
        if qual in seen:
            return False
        seen.add(qual)
        split = self._split(qual)
        if split is None or "." in split[1]:
            return False
        module, name = split
        summary = self.modules[module]
        if name in summary.object_functions:
            return True
        follow = self._elsewhere(summary, name, lambda q: self._returns_object(q, seen) or None)
        return bool(follow)

    def _function(self, raw: tuple[Any, ...], seen: set[str]) -> Spec | None:
        returns, elements, ref, params, kwonly, effects = raw
        if returns is None and ref is not None:
            is_type = ref.startswith("type:")
            target = self._resolve(ref[5:] if is_type else ref, seen)
            if target is not None:
                canonical, spec = target
                if spec[0] == "c":
                    returns = f"class:{canonical}"
                elif spec[0] == "f" and not is_type and spec[1] is not None:
                    returns, elements = spec[1], spec[2]
        if returns is None and not params and not kwonly:
            return None  # nothing known beyond what is assumed of any callable
        return ("f", returns, tuple(elements), tuple(params), tuple(kwonly), tuple(effects))

    def exported_names(self, module: str) -> list[str]:
        """The names of ``module`` that resolve to something (its own and re-exported)."""
        known = self._exported.get(module)
        if known is None:
            known = self._exported[module] = self._exported_names(module)
        return list(known)

    def _exported_names(self, module: str) -> list[str]:
        summary = self.modules.get(module)
        if summary is None:
            return []
        names = {
            *summary.functions,
            *summary.classes,
            *summary.pending,
            *summary.owners,
            *summary.wrappers,
        }
        # A plain class with factory methods: no spec of its own, but its methods have.
        names |= {
            n
            for n in {*summary.methods, *summary.method_effects}
            if self.class_methods(f"{module}.{n}")
        }
        for local in summary.imports:
            if summary.all is None or local in summary.all:
                names.add(local)
        for star in summary.stars:
            star_summary = self.modules.get(star)
            if star_summary is not None:
                names.update(
                    n
                    for n in {
                        *star_summary.functions,
                        *star_summary.classes,
                        *star_summary.pending,
                        *star_summary.owners,
                        *star_summary.wrappers,
                    }
                    if _star_exports(star_summary, n)
                )
        return sorted(
            n
            for n in names
            if self.resolve(f"{module}.{n}") is not None or self.class_methods(f"{module}.{n}")
        )

    # -- views ----------------------------------------------------------------------------

    def view_for(
        self,
        module: str,
        uses: Iterable[str] | None = None,
        calls: frozenset[str] | None = None,
    ) -> dict[str, Spec]:
        """What ``module`` may use of the others, and its own classes whose bases are
        other modules' (only the index knows whether they are resource classes): qualified
        name (as its code spells it once imports are resolved) -> spec. ``uses``: its
        imports, when it is not (yet) indexed under that name (a new, unsaved document): the
        modules and names it imports; ``calls``: the names it calls (only those are in the
        view)."""
        if uses is None:
            summary = self.modules.get(module)
            uses = summary.needs() if summary is not None else ()
            calls = summary.calls if summary is not None else calls
        own = f"{module}." if module else None
        view: dict[str, Spec] = {}

        def add(qual: str) -> None:
            if own is not None and (qual.startswith(own) or qual == module):
                return
            if calls is not None and qual.rpartition(".")[2] not in calls:
                return  # never called here: nothing to change
            for method in self.class_methods(qual):
                # `rm = Cls(); rm.open(name)`: its factory methods, by their own names.
                if calls is None or method in calls:
                    found_method = self.resolve(f"{qual}.{method}")
                    if found_method is not None:
                        view[f"{qual}.{method}"] = found_method[1]
            found = self.resolve(qual)
            if found is None:
                return
            spec = found[1]
            view[qual] = spec
            returns = spec[1] if spec[0] == "f" else None
            if isinstance(returns, str) and returns.startswith("class:"):
                # The class a factory returns: its instances' type must be known.
                cls = self.resolve(returns[6:])
                if cls is not None:
                    view.setdefault(returns[6:], cls[1])

        for used in uses:
            if used in self.modules and used != module:
                for name in self.exported_names(used):
                    add(f"{used}.{name}")
            else:
                add(used)
        own_summary = self.modules.get(module) if own is not None else None
        if own_summary is not None:
            # This module's classes that only the index knows as resources (their bases are
            # other modules' classes): its own code creates instances too.
            for name in own_summary.pending:
                if calls is None or name in calls:
                    found = self.resolve(f"{module}.{name}")
                    if found is not None and found[1][0] == "c":
                        view[f"{module}.{name}"] = found[1]
        return view


def _star_exports(summary: ModuleSummary, name: str) -> bool:
    if summary.all is not None:
        return name in summary.all
    return not name.startswith("_")


def _with_tail(spec: tuple[Any, ...], *tail: Any) -> tuple[Any, ...]:
    """A class's spec with its optional parts (the chooser, the release methods that release
    only when they return, the path-or-stream parameter), up to the last one it has: a spec
    without them stays as it was."""
    items = list(tail)
    while items and not items[-1]:
        items.pop()
    return (*spec, *items)
