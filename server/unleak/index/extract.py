"""A module's summary for the index, from an analysis of its text made without the index
(so that it depends on the module's bytes alone)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Protocol

from unleak.index.base_aliases import base_aliases, object_functions
from unleak.index.model import (
    ModuleSummary,
    RawClass,
    RawFunction,
    RawMethodEffects,
    RawMethods,
    RawWrapper,
)
from unleak.names.resolver import iter_statements
from unleak.names.triggers import TriggerIndex, scan_words
from unleak.source.walk import walk
from unleak.summaries.attr_uses import STREAM_METHODS, AttrUses
from unleak.summaries.types import TypeScope, annotation_type

if TYPE_CHECKING:
    from unleak.catalogue import Catalogue, ResourceType
    from unleak.names.resolver import NameResolver
    from unleak.source.text import SourceText
    from unleak.summaries.functions import ModuleSummaries

# Words whose absence from a function means it cannot release a parameter (beside the
# catalogue's release methods).
_RELEASE_WORDS = ("with", "closing", "close", "closerange")
# A called name, `([A-Za-z_][A-Za-z0-9_]*)\s*\(` not starting after a letter or `_`, matched in
# the reversed text: starting with a literal `(` lets the regex engine skip ahead to each
# parenthesis instead of trying a match at every position. The greedy name backs off to its
# earliest possible start, which is where the forward match starts.
_CALLED_REVERSED = re.compile(r"\(\s*([A-Za-z0-9_]*[A-Za-z_])(?![A-Za-z_])")
# A name passed as a keyword argument's value, `storage=JSONStorage)` (or `=m.JSONStorage,`):
# a class passed to be called by the callee (see summaries.chosen_classes) must be in the
# module's view like one it calls. Starting with the literal `=` lets the regex engine skip
# ahead to each one; that a keyword comes before it is checked by `_passed`.
_PASSED = re.compile(r"=\s*(?:[A-Za-z0-9_.]*\.)?([A-Za-z_][A-Za-z0-9_]*)\s*[,)]")


class Analysed(Protocol):
    """What the summary reads of a module's analysis."""

    resolver: NameResolver
    catalogue: Catalogue
    summaries: ModuleSummaries
    source: SourceText

    def triggered(self, node: ast.AST) -> bool: ...


def _called(text: str, imports: dict[str, str]) -> frozenset[str]:
    """The names the module calls (or passes as a keyword argument), and for an alias
    (`from m import f as g`; `g(`) the imported name too: the index knows `m.f`, not `g`."""
    reversed_text = text[::-1]
    called = {name[::-1] for name in _CALLED_REVERSED.findall(reversed_text)}
    called.update(_passed(text))
    called.update(imports[n].rpartition(".")[2] for n in list(called) if n in imports)
    return frozenset(called)


def _passed(text: str) -> Iterator[str]:
    """The names passed as keyword arguments' values: `_PASSED` matches preceded by a word
    character, whitespace between (not `==`, `<=`, `+=`...)."""
    for match in _PASSED.finditer(text):
        before = match.start() - 1
        while before >= 0 and text[before].isspace():
            before -= 1
        if before >= 0 and (text[before].isalnum() or text[before] == "_"):
            yield match.group(1)


def summarise(module: Analysed, tree: ast.Module) -> ModuleSummary:
    resolver = module.resolver
    name = resolver.module_name
    summaries = module.summaries
    catalogue = module.catalogue
    out = ModuleSummary(
        name,
        imports=dict(resolver.imports),
        stars=tuple(resolver.stars),
        all=_dunder_all(tree),
        uses=tuple(sorted(resolver.uses)),
        calls=_called(module.source.text, resolver.imports),
    )
    if not name:
        return out
    uses = AttrUses(module.source.lines) if summaries.class_defs else None
    if uses is not None:
        _hierarchy(module, out, uses)
    releasing: TriggerIndex | None = None
    streaming: TriggerIndex | None = None
    for cname in summaries.class_defs:
        rtype = catalogue.types.get(f"class:{cname}")
        if rtype is not None:
            out.classes[cname] = _raw_class(rtype, f"`{cname}` instance")
        else:
            methods = _factory_methods(module, cname)
            if methods:
                out.methods[cname] = methods
            if releasing is None or streaming is None:
                _scan_release_and_stream(module)
                releasing = _releasing(module)
                streaming = _streaming(module)
            method_effects = _method_effects(module, cname, releasing, streaming)
            if method_effects:
                out.method_effects[cname] = method_effects
            if uses is not None:
                ctor = _constructor(summaries, cname, uses)
                if ctor is not None:
                    out.functions[cname] = ctor
            wrapper = _wrapper(summaries, cname, releasing)
            if wrapper is not None and cname not in out.functions:
                out.wrappers[cname] = wrapper
    if uses is not None:
        _owners(module, out)
        out.aliases = base_aliases(tree, resolver.qualify)
    shadowed = set(resolver.imports) | resolver.module_defs
    out.object_functions = object_functions(summaries.defs, module.source.text, shadowed)
    if not summaries.defs:
        return out
    scope = TypeScope(resolver, catalogue, summaries)
    for fname, node in summaries.defs.items():
        summary = summaries.functions.get(fname)
        if summary is None:
            continue
        returns = summary.returns
        if returns is not None and returns.startswith("class:"):
            returns = f"class:{name}.{returns[6:]}"
        args = node.args
        names = [a for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]]
        typed = {a.arg for a in names if _resource_annotation(a.annotation, scope, catalogue)}
        params: tuple[str, ...] = ()
        kwonly: tuple[str, ...] = ()
        effects: tuple[tuple[str, str], ...] = ()
        ref = summary.ref
        if returns is None and ref is None and out.pending:
            ref = _pending_ref(node, out.pending)
            ref = f"{name}.{ref}" if ref is not None else None
        interesting = returns is not None or ref is not None
        if names:
            if releasing is None:
                releasing = _releasing(module)
            if typed or module.triggered(node) or _between(releasing, node):
                computed = summary.effects
                if typed or {"release", "wait", "opens"} & set(computed.values()):
                    params, kwonly = tuple(summary.params), tuple(summary.kwonly)
                    effects = tuple(sorted(computed.items()))
                    interesting = True
        if interesting:
            entry: RawFunction = (
                returns,
                tuple(summary.return_elements),
                ref if returns is None else None,
                params,
                kwonly,
                effects,
            )
            out.functions[fname] = entry
    return out


def _pending_ref(
    node: ast.FunctionDef | ast.AsyncFunctionDef,
    pending: Mapping[str, object],
) -> str | None:
    """`return Popen2IOMaster(args)`: the class of this module, one only the index knows as
    a resource class (its bases are other modules'), whose fresh instance is returned."""
    if node.decorator_list or any(isinstance(n, (ast.Yield, ast.YieldFrom)) for n in walk(node)):
        return None  # a @contextmanager, a generator...: not what a call returns
    for sub in iter_statements(node.body, nested=False):
        if isinstance(sub, ast.Return) and isinstance(sub.value, ast.Call):
            func = sub.value.func
            if isinstance(func, ast.Name) and func.id in pending:
                return func.id
    return None


def _factory_methods(module: Analysed, cname: str) -> RawMethods:
    """A plain class's methods returning a fresh resource (`rm.open(name)` then acquires
    wherever an instance is made); only methods mentioning a trigger word are summarised."""
    node = module.summaries.class_defs[cname]
    if not module.triggered(node):
        return ()
    cls = module.summaries.classes.get(cname)
    if cls is None:
        return ()
    out: list[tuple[str, str, tuple[str | None, ...]]] = []
    for m in node.body:
        if not isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef)) or m.name.startswith("__"):
            continue
        if not module.triggered(m):
            continue
        summary = cls.methods.get(m.name)
        returns = summary.returns if summary is not None else None
        if summary is None or returns is None:
            continue
        if returns.startswith("class:") and returns[6:] in module.summaries.class_defs:
            returns = f"class:{module.resolver.module_name}.{returns[6:]}"
        out.append((m.name, returns, tuple(summary.return_elements)))
    return tuple(out)


def _method_effects(
    module: Analysed, cname: str, releasing: TriggerIndex, streaming: TriggerIndex
) -> RawMethodEffects:
    """A plain class's methods whose effects on their arguments callers elsewhere need: one
    that releases an argument, only opens it (`open(dest)`: a stream given there is
    borrowed), or borrows one it uses as a stream (`dest.write(...)`); without them, an
    argument given to another module's method is assumed taken over."""
    from unleak.summaries.attr_uses import STREAM_METHODS

    node = module.summaries.class_defs[cname]
    cls = module.summaries.classes.get(cname)
    if cls is None:
        return ()
    out: list[tuple[str, tuple[str, ...], tuple[str, ...], tuple[tuple[str, str], ...]]] = []
    for m in node.body:
        if not isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef)) or m.name.startswith("__"):
            continue
        if not _takes_arguments(m):
            continue  # nothing to say of its arguments (its summary is not built for it)
        releases = _between(releasing, m)
        first = min([m.lineno, *(d.lineno for d in m.decorator_list)])
        # A method that names no stream method uses no argument as a stream: no walk.
        may_stream = streaming.any_between(first, m.end_lineno or m.lineno)
        if not releases and not may_stream:
            continue
        args = m.args
        names = {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}
        streamed = (
            {
                sub.value.id
                for sub in walk(m)
                if isinstance(sub, ast.Attribute)
                and sub.attr in STREAM_METHODS
                and isinstance(sub.value, ast.Name)
                and sub.value.id in names
            }
            if may_stream
            else set()
        )
        if not streamed and not releases:
            continue
        summary = cls.methods.get(m.name)
        if summary is None or not (summary.params or summary.kwonly):
            continue
        effects = summary.effects
        wanted = any(e in ("opens", "release", "wait") for e in effects.values()) or any(
            effects.get(p, "borrow") == "borrow" for p in streamed
        )
        if wanted:
            out.append(
                (
                    m.name,
                    tuple(summary.params),
                    tuple(summary.kwonly),
                    tuple(sorted((p, e) for p, e in effects.items() if e != "borrow")),
                )
            )
    return tuple(out)


def _takes_arguments(method: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether a method has parameters besides `self` (its summary's `params`/`kwonly`)."""
    args = method.args
    positional = len(args.posonlyargs) + len(args.args)
    static = any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in method.decorator_list)
    if positional and not static:
        positional -= 1
    return bool(positional or args.kwonlyargs)


def _raw_class(t: ResourceType, noun: str | None = None) -> RawClass:
    """A resource class's type as the index keeps it."""
    return (
        noun or t.noun,
        tuple(sorted(t.release)),
        t.with_releases,
        t.supports_with,
        tuple(sorted(t.opened_by)),
        tuple(sorted(t.release_on_return)),
        t.path_or_stream or (),
    )


def _hierarchy(module: Analysed, out: ModuleSummary, uses: AttrUses) -> None:
    """Classes whose bases are other modules' classes: resource classes once the index
    knows those bases do not touch what they acquire, and what a subclass elsewhere needs
    to know of each plain class here."""
    if not module.summaries.class_defs:
        return
    from unleak.summaries.classes import base_views, foreign_based_resources

    for cname, found in foreign_based_resources(module).items():
        out.pending[cname] = (_raw_class(found.type), found.bases, found.acquired)
    skip = set(out.pending) | {
        c for c in module.summaries.class_defs if f"class:{c}" in module.catalogue.types
    }
    for cname, view in base_views(module, skip, uses).items():
        out.bases[cname] = (view.bases, view.mentions, view.releasing, view.supports_with)


def _owners(module: Analysed, out: ModuleSummary) -> None:
    """Classes that keep what another module's callable returns and release it: resource
    classes once the index knows that callable returns a resource."""
    from unleak.summaries.classes import foreign_owners

    skip = set(out.classes) | set(out.pending)
    for cname, found in foreign_owners(module, skip).items():
        out.owners[cname] = (
            _raw_class(found.type),
            found.callees,
            found.chooser or (),
            found.bases,
            found.acquired,
        )


def _constructor(summaries: ModuleSummaries, name: str, uses: AttrUses) -> RawFunction | None:
    """A plain class's constructor, when it borrows an argument it keeps and uses as a stream
    (an argument it only reads, or keeps as data, is borrowed as well, but then nearly every
    class would be listed, and every module calling one analysed twice)."""
    from unleak.summaries.constructors import stored_parameters

    node = summaries.class_defs[name]
    stored = stored_parameters(node)
    if not stored:
        return None
    if not stored & uses.streams(node.lineno, node.end_lineno or node.lineno):
        return None
    ctor = summaries.constructors.get(name)
    if ctor is None or not any(e == "borrow" for e in ctor.effects.values()):
        return None
    effects = tuple(sorted((p, e) for p, e in ctor.effects.items() if e != "borrow"))
    return (None, (), None, tuple(ctor.params), tuple(ctor.kwonly), effects)


def _releasing(module: Analysed) -> TriggerIndex:
    """Where the module's text may release something (a cheap test before a definition is
    summarised for what it releases)."""
    words = set(module.catalogue.release_methods()) | set(_RELEASE_WORDS)
    return TriggerIndex(module.source.text, words)


def _scan_release_and_stream(module: Analysed) -> None:
    """Both scans of `_releasing` and `_streaming` in one pass over the text."""
    scan_words(module.source.text, summary_words(module.catalogue))


def summary_words(catalogue: Catalogue) -> set[str]:
    """The words the summary looks for in a module's text (`_releasing`, `_streaming`): an
    analysis that will be summarised looks for them in its own scan of the text."""
    return set(catalogue.release_methods()) | set(_RELEASE_WORDS) | STREAM_METHODS


def _streaming(module: Analysed) -> TriggerIndex:
    """Where the module's text names a stream method (`dest.write`): a method that names none
    cannot use an argument as a stream."""
    from unleak.summaries.attr_uses import STREAM_METHODS

    return TriggerIndex(module.source.text, STREAM_METHODS)


def _wrapper(summaries: ModuleSummaries, name: str, releasing: TriggerIndex) -> RawWrapper | None:
    """A class that takes over a constructor argument and releases it (summaries.wrappers)."""
    from unleak.summaries.constructors import stored_parameters
    from unleak.summaries.wrappers import wrapper_summary

    node = summaries.class_defs[name]
    if not _between(releasing, node) or not stored_parameters(node):
        return None
    found = wrapper_summary(summaries, name)
    if found is None:
        return None
    return (found.params, found.kwonly, found.owned, found.release, found.converted)


def _between(index: TriggerIndex, node: ast.AST) -> bool:
    first = getattr(node, "lineno", 1)
    return index.any_between(first, getattr(node, "end_lineno", None) or first)


def _resource_annotation(ann: ast.expr | None, scope: TypeScope, catalogue: Catalogue) -> bool:
    t = annotation_type(ann, scope) if ann is not None else None
    return t is not None and t in catalogue.types


def _dunder_all(tree: ast.Module) -> tuple[str, ...] | None:
    for stmt in tree.body:
        if (
            isinstance(stmt, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "__all__" for t in stmt.targets)
            and isinstance(stmt.value, (ast.List, ast.Tuple))
        ):
            names = [e.value for e in stmt.value.elts if isinstance(e, ast.Constant)]
            if all(isinstance(n, str) for n in names):
                return tuple(names)  # type: ignore[arg-type]
    return None
