"""Function and class summaries: what a call of a local function does to ownership.

A function that returns a fresh resource makes each call an acquisition; a function that
releases (or keeps) its parameter makes each call a release (or an ownership move).
Summaries are computed lazily, on first use, with a guard against recursion.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar, cast

from unleak.catalogue import POPEN_PIPES, Catalogue
from unleak.catalogue.failures import OSERROR, UNLIKELY, body_failure
from unleak.names.resolver import iter_statements
from unleak.source.facts import fact
from unleak.source.walk import children, walk
from unleak.summaries.released_if import released_if

if TYPE_CHECKING:
    from unleak.names.resolver import NameResolver
    from unleak.source.facts import StatementFacts


T = TypeVar("T")

# What `ModuleSummaries.fingerprints` gives an edited function in a recursion.
RECURSIVE = "recursive"
# The prefix of a constructor's name among the summaries a function consulted.
CONSTRUCTOR = "new:"
# The prefix of a class's callable attribute ("callable:Cls.attr") among them.
CALLABLE = "callable:"
# ... and of what a class attribute names, as a method's `self.attr(...)` calls it
# ("class attribute:Cls.attr", see `chosen_classes.class_attribute`).
CLASS_ATTRIBUTE = "class attribute:"


@dataclass
class FunctionSummary:
    name: str
    params: list[str] = field(default_factory=list)
    kwonly: list[str] = field(default_factory=list)
    returns: str | None = None  # resource type of a fresh returned resource
    # Another module's method (`pkg.mod.Cls.open`), called on an instance of its class.
    is_method: bool = False
    return_elements: tuple[str | None, ...] = ()
    # What the project index resolves: the qualified name of another module's callable whose
    # result is returned (`return db.connect()`), or "type:" and the class a return
    # annotation names (`-> Conn`).
    ref: str | None = None
    compute_effects: Callable[[], dict[str, str]] | None = None
    # A constructor whose `__init__` only stores names and constants: a call of it cannot
    # raise (set for this module's plain classes).
    cannot_raise: bool = False
    # What a call of it can raise beside programming errors (catalogue.failures'
    # UNLIKELY, OSERROR or None: anything), computed on first use.
    compute_fails: Callable[[], str | None] | None = None
    # Another module's class taking over a constructor argument (summaries.wrappers):
    # parameter -> how the instance releases what it keeps of it; its releasing methods;
    # the parameters it replaces by their descriptor.
    owns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    owner_release: frozenset[str] = frozenset()
    converts: frozenset[str] = frozenset()
    # Another module's class whose resource the caller may choose (see `chosen_classes`):
    # the constructor's argument that chooses it (keyword, position after `self`; -1: none).
    chosen_by: tuple[str, int] | None = None
    # A plain class's constructor: parameters it keeps (effect "escape") and only calls
    # these release-named methods on (`self.sock.shutdown(1)`); an argument whose type no
    # such method releases stays the caller's (see summaries.constructors).
    released_via: dict[str, frozenset[str]] = field(default_factory=dict)
    # A function that releases what it returns when a flag parameter is true (see
    # summaries.released_if): the flag, its position, whether its default is true.
    released_if: tuple[str, int, bool] | None = None
    _effects: dict[str, str] | None = None
    _fails: str | None = None
    # What records the summaries asked for while each is computed (this module's own).
    tracker: Tracker | None = field(default=None, repr=False, compare=False)
    _busy: int = field(default=0, repr=False, compare=False)

    @property
    def effects(self) -> dict[str, str]:
        """Parameter -> release|wait|escape|opens|borrow, computed on first use."""
        if self._effects is None:
            compute, self.compute_effects = self.compute_effects, None
            self._effects = {}
            if compute is not None:
                self._busy |= 1
                try:
                    self._effects = _tracked(self.tracker, self.name, compute)
                finally:
                    self._busy &= ~1
        elif self._busy & 1 and self.tracker is not None:
            self.tracker.cycle(self.name)
        return self._effects

    @property
    def fails(self) -> str | None:
        compute, self.compute_fails = self.compute_fails, None
        if compute is not None:
            self._busy |= 2
            try:
                # A recursive call meanwhile sees None: anything.
                self._fails = _tracked(self.tracker, self.name, compute)
            finally:
                self._busy &= ~2
        elif self._busy & 2 and self.tracker is not None:
            self.tracker.cycle(self.name)
        return self._fails

    def param_effect(self, index: int | None, keyword: str | None) -> str:
        name = None
        if index is not None and index < len(self.params):
            name = self.params[index]
        elif keyword is not None:
            name = keyword
        if name is None:
            return "escape"
        return self.effects.get(
            name, "escape" if name not in self.params + self.kwonly else "borrow"
        )


class Tracker:
    """Which summaries each summary of a module asked for while it was computed, and whether
    one was asked for while it was being computed (a recursion): what the summaries in a
    recursion give depends on which of them was asked for first, so a summary computed again
    after an edit may differ from a fresh analysis's (see `ModuleSummaries.fingerprints`)."""

    def __init__(self) -> None:
        self.stack: list[str] = []
        self.deps: dict[str, set[str]] = {}
        # The first summary asked for while it was being computed, if any.
        self.cycles: list[str] = []

    def cycle(self, key: str) -> None:
        if not self.cycles:
            self.cycles.append(key)

    def used(self, key: str) -> None:
        if self.stack:
            self.deps.setdefault(self.stack[-1], set()).add(key)

    def reaches(self, starts: set[str], key: str) -> bool:
        """Whether ``key`` is among the summaries ``starts`` asked for, or those asked for."""
        seen: set[str] = set()
        todo = list(starts)
        while todo:
            k = todo.pop()
            if k == key:
                return True
            if k not in seen:
                seen.add(k)
                todo.extend(self.deps.get(k, ()))
        return False


def _tracked(tracker: Tracker | None, key: str, compute: Callable[[], T]) -> T:
    """``compute()``, the summaries it asks for recorded as ``key``'s."""
    if tracker is None:
        return compute()
    tracker.used(key)
    tracker.stack.append(key)
    try:
        return compute()
    finally:
        tracker.stack.pop()


@dataclass
class ClassSummary:
    name: str
    node: ast.ClassDef
    methods: _LazyMap


class ModuleSummaries:
    """Lazily computed summaries of the functions and classes of one module."""

    def __init__(
        self,
        tree: ast.Module,
        resolver: NameResolver,
        catalogue: Catalogue,
        external: dict[str, FunctionSummary] | None = None,
        facts: StatementFacts | None = None,
    ) -> None:
        """``facts``: per-statement facts kept from an earlier version of the module."""
        self.resolver = resolver
        self.facts = facts
        self.catalogue = catalogue
        self.external: dict[str, FunctionSummary] = external or {}
        self.defs: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
        self.class_defs: dict[str, ast.ClassDef] = {}
        self.module_types: dict[str, str] = {}
        # Functions defined in branches of the module's `try`/`if` (one per platform or
        # optional import): only what a call of them can raise is summarised.
        self.branch_defs: dict[str, list[ast.FunctionDef | ast.AsyncFunctionDef]] = {}
        for stmt in tree.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.defs[stmt.name] = stmt
            elif isinstance(stmt, ast.ClassDef):
                self.class_defs[stmt.name] = stmt
            elif isinstance(stmt, (ast.Try, ast.If)):
                for sub in _branch_statements(stmt):
                    if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        self.branch_defs.setdefault(sub.name, []).append(sub)
        self._branch_fails: dict[str, str | None] = {}
        self._functions: dict[str, FunctionSummary] = {}
        self._classes: dict[str, ClassSummary] = {}
        self._in_progress: set[str] = set()
        self.functions = _LazyMap(self._function, "", self)
        self.classes = _LazyMap(self._class)
        # `Cls(...)` of a plain class (not a resource): what it does to its arguments.
        self.constructors = _LazyMap(self._constructor, CONSTRUCTOR, self)
        # "Cls.attr" -> the callable `self.attr` holds (see callable_attrs).
        self.callables = _LazyMap(self._callable, CALLABLE, self)
        # "Cls.attr" -> what the class body binds `attr` to, when `self.attr` is that.
        self.class_attributes = _LazyMap(self._class_attribute, CLASS_ATTRIBUTE, self)
        self._class_callables: dict[str, dict[str, str]] = {}
        self._hands_out: dict[str, bool] = {}
        # Other modules' classes with methods returning fresh resources (qualified names).
        self.external_classes = {
            q.rpartition(".")[0] for q, s in self.external.items() if s.is_method
        }
        # While set, records the summaries consulted (for per-definition result reuse).
        self.consulted: set[str] | None = None
        # What each summary asked for, and the summaries asked for while being computed.
        self.tracker = Tracker()

    def dispose(self) -> None:
        """Break the reference cycles of summaries no longer needed (a lazy value refers back
        to them; so does each summary's deferred computation), so that reference counting
        frees them and the syntax trees they hold at once: left to the cyclic garbage
        collector, every node of the tree is traversed first."""
        for summary in self._functions.values():
            summary.compute_effects = summary.compute_fails = None
            summary.tracker = None
        self.__dict__.clear()

    def _function(self, name: str) -> FunctionSummary | None:
        node = self.defs.get(name)
        if node is None:
            return None
        return self._summarise(name, node, None)

    def generator(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
        """`_is_generator(node)`, kept while its tree is (or, for a module analysed once,
        while this analysis is: a summary asks it several times)."""
        if self.facts is not None:
            return fact(self.facts, node, "generator", _is_generator)  # type: ignore[arg-type]
        known: dict[int, bool] = self.__dict__.setdefault("_generators", {})
        found = known.get(id(node))
        if found is None:
            found = known[id(node)] = _is_generator(node)
        return found

    def body_nodes(self, node: ast.AST) -> list[ast.AST]:
        """`walk_body(node)`, kept while the tree of a top-level function or of a member of
        a top-level class is (the list is shared: not to be changed)."""
        return fact(self.facts, node, "body nodes", _walk_body)

    def _constructor(self, name: str) -> FunctionSummary | None:
        from unleak.summaries.constructors import constructor_summary

        return _tracked(self.tracker, CONSTRUCTOR + name, lambda: constructor_summary(self, name))

    def _callable(self, key: str) -> str | None:
        cname, _, attr = key.partition(".")
        return self.class_callables(cname).get(attr)

    def _class_attribute(self, key: str) -> ast.Name | ast.Attribute | None:
        from unleak.summaries.chosen_classes import class_attribute

        cname, _, attr = key.partition(".")
        node = self.class_defs.get(cname)
        return class_attribute(node, attr, self.facts) if node is not None else None

    def class_callables(self, cname: str) -> dict[str, str]:
        """The callables this module's class ``cname`` keeps on `self` (see
        `callable_attrs.class_callables`), found once per class."""
        from unleak.summaries.callable_attrs import class_callables

        found = self._class_callables.get(cname)
        if found is None:
            node = self.class_defs.get(cname)
            found = (
                class_callables(node, self.resolver.qualify, self.facts) if node is not None else {}
            )
            self._class_callables[cname] = found
        return found

    def may_hand_out(self, cls: str) -> bool:
        """Whether a method of this module's class ``cls`` returns a call's result or a name
        (a cheap test before its instances are followed: most classes' methods return
        attributes, constants or nothing)."""
        found = self._hands_out.get(cls)
        if found is None:
            node = self.class_defs[cls]
            handed = (ast.Call, ast.Name, ast.Await, ast.Tuple)
            found = any(
                isinstance(sub, ast.Return) and isinstance(sub.value, handed)
                for m in node.body
                if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))
                and not m.name.startswith("__")
                for sub in iter_statements(m.body, nested=False)
            )
            self._hands_out[cls] = found
        return found

    def instance_method(self, cls: str, method: str) -> FunctionSummary | None:
        """A method of ``cls`` (a class of this module, or another module's by its qualified
        name) that returns a fresh resource: a call of it on an instance acquires."""
        found: FunctionSummary | None = None
        if cls in self.class_defs:
            summary = self.classes.get(cls)
            found = summary.methods.get(method) if summary is not None else None
        else:
            found = self.external.get(f"{cls}.{method}")
        if found is None or found.returns is None or found.returns not in self.catalogue.types:
            return None
        return found

    def _class(self, name: str) -> ClassSummary | None:
        if name in self._classes:
            return self._classes[name]
        node = self.class_defs.get(name)
        if node is None:
            return None
        methods = {
            stmt.name: stmt
            for stmt in node.body
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef))
        }

        def method(mname: str) -> FunctionSummary | None:
            m = methods.get(mname)
            return self._summarise(f"{name}.{mname}", m, name) if m is not None else None

        cls = ClassSummary(name, node, _LazyMap(method, f"{name}.", self))
        self._classes[name] = cls
        return cls

    def same_summary(
        self,
        key: str,
        old: ast.FunctionDef | ast.AsyncFunctionDef,
        new: ast.FunctionDef | ast.AsyncFunctionDef,
        class_name: str | None,
    ) -> bool:
        """Whether an edited definition ``new`` of ``old`` (the definition of ``key``)
        summarises the same for its callers. Leaves the summaries as they were for ``old``."""
        before, after = self.fingerprints(key, old, new, class_name)
        return before == after

    def fingerprints(
        self,
        key: str,
        old: ast.FunctionDef | ast.AsyncFunctionDef,
        new: ast.FunctionDef | ast.AsyncFunctionDef,
        class_name: str | None,
    ) -> tuple[tuple[object, ...], tuple[object, ...]]:
        """What callers see of ``old`` (the definition of ``key``) and of an edited
        definition ``new`` of it (see `fingerprint`). Leaves the summaries as they were."""
        before = fingerprint(self._summarise(key, old, class_name))
        lazy = self.functions if class_name is None else self.classes.get(class_name).methods
        short = key.rpartition(".")[2] if class_name is not None else key
        saved = self._functions.pop(key)
        saved_lazy = lazy._cache.pop(short, None)
        consulted, self.consulted = self.consulted, None
        tracker = self.tracker
        saved_deps = tracker.deps.pop(key, None)
        try:
            # Recursive calls see the summary being built, as in a fresh analysis.
            after = fingerprint(self._summarise(key, new, class_name))
            # A summary it asked for that had asked for the old definition (a recursion)
            # is out of date: say the summary changed.
            if tracker.reaches(tracker.deps.get(key, set()) - {key}, key):
                after = (RECURSIVE,)
        finally:
            self._functions[key] = saved
            lazy._cache[short] = saved_lazy if saved_lazy is not None else saved
            self.consulted = consulted
            if saved_deps is None:
                tracker.deps.pop(key, None)
            else:
                tracker.deps[key] = saved_deps
        return before, after

    def _summarise(
        self, key: str, node: ast.FunctionDef | ast.AsyncFunctionDef, class_name: str | None
    ) -> FunctionSummary:
        if key in self._functions:
            if key in self._in_progress:
                self.tracker.cycle(key)
            return self._functions[key]
        args = node.args
        params = [a.arg for a in [*args.posonlyargs, *args.args]]
        if class_name is not None and params and not _is_static(node):
            params = params[1:]
        summary = FunctionSummary(key, params, [a.arg for a in args.kwonlyargs])
        summary.tracker = self.tracker
        self._functions[key] = summary
        if key in self._in_progress:
            self.tracker.cycle(key)
            return summary
        self._in_progress.add(key)
        self.tracker.stack.append(key)
        try:
            summary.compute_effects = lambda: self._param_effects(node, summary, class_name)
            summary.compute_fails = lambda: self._fails(node, class_name)
            entered = node.name in ("__enter__", "__aenter__", "__iter__")
            if not entered and not self.generator(node):
                summary.returns, summary.return_elements, summary.ref = self._returns(
                    node, class_name
                )
                if summary.returns is not None and not summary.return_elements:
                    summary.released_if = self._released_if(node, summary)
                if summary.returns is None and self.external:
                    self._wrapping(node, summary)
        finally:
            self.tracker.stack.pop()
            self._in_progress.discard(key)
        return summary

    def _fails(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef, class_name: str | None
    ) -> str | None:
        from unleak.summaries.types import TypeScope, annotation_type

        if self.generator(node) or isinstance(node, ast.AsyncFunctionDef):
            return None  # a call only makes the generator or coroutine; its body runs later
        # Parameters are typed by their annotations (`sock: socket.socket`).
        scope = TypeScope(self.resolver, self.catalogue, self, class_name=class_name)
        args = node.args
        typed = {
            a.arg: t
            for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]
            if (t := annotation_type(a.annotation, scope)) is not None
        }
        return body_failure(
            node.body,
            self.resolver.qualify,
            lambda e: typed.get(e.id) if isinstance(e, ast.Name) else None,
            lambda c: self.callee_fails(c, class_name),
        )

    def callee_fails(self, call: ast.Call, class_name: str | None) -> str | None:
        """What a call of one of this module's functions (or of a method of ``class_name``
        on `self`) can raise, from the callee's body; None when not known."""
        func = call.func
        summary: FunctionSummary | None = None
        if isinstance(func, ast.Name) and func.id in self.defs:
            summary = self.functions.get(func.id)
        elif isinstance(func, ast.Name) and func.id in self.branch_defs:
            return self._fails_in_branches(func.id)
        elif (
            class_name is not None
            and isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id == "self"
        ):
            cls = self.classes.get(class_name)
            summary = cls.methods.get(func.attr) if cls is not None else None
        return summary.fails if summary is not None else None

    def _fails_in_branches(self, name: str) -> str | None:
        """What a call of a function defined in branches can raise: the worst of what each
        definition's body can (a module-level binding elsewhere may replace them: unknown)."""
        self.tracker.used(name)
        if name in self._branch_fails:
            if name in self._in_progress:
                self.tracker.cycle(name)
            return self._branch_fails[name]
        self._branch_fails[name] = None  # a recursive call while summarising: unknown
        self._in_progress.add(name)
        self.tracker.stack.append(name)
        try:
            kinds = {self._fails(node, None) for node in self.branch_defs[name]}
        finally:
            self.tracker.stack.pop()
            self._in_progress.discard(name)
        kind: str | None
        if None in kinds or name in self.module_types:
            kind = None
        else:
            kind = OSERROR if OSERROR in kinds else UNLIKELY
        self._branch_fails[name] = kind
        return kind

    def _released_if(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef, summary: FunctionSummary
    ) -> tuple[str, int, bool] | None:
        """The flag under which the function releases the resource it returns by name."""
        rtype = self.catalogue.types.get(summary.returns or "")
        if rtype is None or not rtype.release:
            return None
        release = frozenset(r.rstrip("()") for r in rtype.release)
        names = {
            r.value.id
            for r in iter_statements(node.body, nested=False)
            if isinstance(r, ast.Return) and isinstance(r.value, ast.Name)
        }
        if len(names) != 1:
            return None
        return released_if(node, names.pop(), release, summary.params, summary.kwonly)

    def _returns(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef, class_name: str | None
    ) -> tuple[str | None, tuple[str | None, ...], str | None]:
        from unleak.summaries.types import TypeScope, annotation_type, call_type

        scope = TypeScope(self.resolver, self.catalogue, self, class_name=class_name)
        assigned: dict[str, str] = {}
        refs: dict[str, str] = {}  # local name -> another module's callable it comes from
        returns: list[ast.expr] = []
        shared: set[str] = set()
        for sub in iter_statements(node.body, nested=False):
            if isinstance(sub, ast.Assign) and len(sub.targets) == 1:
                target = sub.targets[0]
                value = sub.value.value if isinstance(sub.value, ast.Await) else sub.value
                if isinstance(target, ast.Name) and isinstance(value, ast.Call):
                    t = call_type(value, scope)
                    if t is not None and t in self.catalogue.types:
                        assigned[target.id] = t
                    else:
                        ref = self._outside(value)
                        if ref is not None:
                            refs[target.id] = ref
            elif isinstance(sub, ast.Return) and sub.value is not None:
                returns.append(sub.value)
            elif isinstance(sub, (ast.Global, ast.Nonlocal)):
                shared.update(sub.names)
        if not returns:
            return None, (), None
        for name in shared:  # a cached global (`_loop = new_event_loop()`): not fresh
            assigned.pop(name, None)
        handed: set[str] | None = None
        params = {a.arg for a in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs)}

        def kept(name: str) -> bool:
            nonlocal handed
            if handed is None:  # computed only for functions that return a resource
                handed = _handed_to_calls(node, self)
                if class_name is not None:
                    handed |= _stored_on_self(node)
            return name not in handed

        def acquires(value: ast.expr) -> bool:
            if isinstance(value, ast.Await):
                value = value.value
            if not isinstance(value, ast.Call):
                return False
            return call_type(value, scope) in self.catalogue.types

        def type_of(e: ast.expr) -> str | None:
            if isinstance(e, ast.Await):
                e = e.value
            # `cast(T, x)` is x: fresh only when x is (a loop, not a recursive call: a
            # closure calling itself is a reference cycle holding the whole analysis).
            while (inner := self.resolver.uncast(e)) is not e:
                e = inner.value if isinstance(inner, ast.Await) else inner
            if isinstance(e, ast.Name):
                if e.id not in assigned:
                    return None
                rtype = self.catalogue.types[assigned[e.id]]
                first_return = min(r.lineno for r in returns)
                if _released_unconditionally(
                    node.body, e.id, rtype.release, first_return
                ) or _released_after_acquisitions(node.body, e.id, rtype.release, acquires):
                    return None  # `p.communicate(); return out, p`: handed back released
                return assigned[e.id] if kept(e.id) else None
            if isinstance(e, ast.Call):
                if self._wraps_param(e, params):
                    return None
                t = call_type(e, scope)
                return t if t in self.catalogue.types else None
            return None

        if assigned:
            # `resp = {"status": e.code}; return resp` in a handler: that return gives the
            # new value, not the resource the name held elsewhere.
            rebound = _rebound_returns(node.body, set(assigned), acquires)
            returns = [r for r in returns if id(r) not in rebound]
        for value in returns:
            t = type_of(value)
            if t is not None:
                return t, (), None
            if isinstance(value, ast.Tuple):
                elems = tuple(type_of(x) for x in value.elts)
                if any(elems):
                    first = next(x for x in elems if x)
                    return first, elems, None
        fresh = all(_fresh(v, assigned, refs) and not self._known_plain(v, params) for v in returns)
        if fresh and node.returns is not None:
            # `def connect() -> sqlite3.Connection: return make(...)`: the annotation says a
            # fresh call's result is an open resource.
            declared = annotation_type(node.returns, scope)
            if declared is not None and declared in self.catalogue.types:
                return declared, (), None
            ann: ast.expr | None = node.returns
            if isinstance(ann, ast.Constant) and isinstance(ann.value, str):
                ann = _parse_annotation(ann.value)
            if isinstance(ann, (ast.Name, ast.Attribute)):
                outside = self._outside_name(ann)
                if outside is not None:
                    return None, (), f"type:{outside}"
        for value in returns:
            e = value.value if isinstance(value, ast.Await) else value
            if isinstance(e, ast.Call):
                ref = self._outside(e)
                if ref is not None:
                    return None, (), ref
            elif isinstance(e, ast.Name) and e.id in refs and kept(e.id):
                return None, (), refs[e.id]
        return None, (), None

    def _wraps_param(self, call: ast.Call, params: set[str]) -> bool:
        """`TextIOWrapper(stream)` or `LocalWrapper(stream, ...)` over a parameter: the
        caller's own resource in new clothes, not a fresh one (closing the wrapper is the
        caller's choice, and a wrapper that detaches on collection closes nothing)."""
        if not call.args or not self._rooted_in(call.args[0], params):
            return False
        if isinstance(call.func, ast.Name) and call.func.id in self.class_defs:
            # Unless the index knows it as a resource class: it acquires for itself.
            known = self.external.get(self.resolver.qualify(call.func) or "")
            return known is None or known.returns is None
        qual = self.resolver.qualify(call.func)
        factory = self.catalogue.factories.get(qual) if qual is not None else None
        return factory is not None and factory.wrapper

    def _wraps_memory(self, call: ast.Call) -> bool:
        """`TextIOWrapper(BytesIO())`: a wrapper over an in-memory buffer holds nothing."""
        from unleak.summaries.types import TypeScope, in_memory_buffer

        qual = self.resolver.qualify(call.func)
        factory = self.catalogue.factories.get(qual) if qual is not None else None
        return (
            factory is not None
            and factory.wrapper
            and bool(call.args)
            and in_memory_buffer(call.args[0], TypeScope(self.resolver, self.catalogue, self))
        )

    def _rooted_in(self, expr: ast.expr, names: set[str]) -> bool:
        """`stream`, `stream.buffer`, `cast(T, stream)`: a value reached from one of
        ``names``."""
        while True:
            if isinstance(expr, ast.Attribute):
                expr = expr.value
            elif (inner := self.resolver.uncast(expr)) is not expr:
                expr = inner
            else:
                return isinstance(expr, ast.Name) and expr.id in names

    def _known_plain(self, value: ast.expr, params: set[str]) -> bool:
        """A returned call whose result is known to be no fresh resource, whatever the
        function's annotation says: a wrapper over a parameter, or a function of this module
        whose own summary returns none."""
        if isinstance(value, ast.Await):
            value = value.value
        if not isinstance(value, ast.Call):
            return False
        if self._wraps_param(value, params) or self._wraps_memory(value):
            return True
        func = value.func
        if isinstance(func, ast.Name) and func.id in self.defs:
            node = self.defs[func.id]
            if node.decorator_list or self.generator(node):
                return False  # a @contextmanager or a generator: its summary says nothing
            summary = self.functions.get(func.id)
            return summary is not None and not summary.returns and summary.ref is None
        return False

    def _outside(self, call: ast.Call) -> str | None:
        """The qualified name of the callable, when it is another module's."""
        if not isinstance(call.func, (ast.Name, ast.Attribute)):
            return None
        return self._outside_name(call.func)

    def _outside_name(self, expr: ast.Name | ast.Attribute) -> str | None:
        head: ast.expr = expr
        while isinstance(head, ast.Attribute):
            head = head.value
        if not isinstance(head, ast.Name) or head.id not in self.resolver.imports:
            return None
        qual = self.resolver.qualify(expr)
        if qual is None or qual in self.catalogue.factories:
            return None
        return qual

    def _param_effects(
        self,
        node: ast.FunctionDef | ast.AsyncFunctionDef,
        summary: FunctionSummary,
        class_name: str | None = None,
    ) -> dict[str, str]:
        names = set(summary.params) | set(summary.kwonly)
        if not names:
            return {}
        release_names = self.catalogue.release_methods()
        effects: dict[str, str] = {}

        # "wait": released by wait()/poll() only, which end a process but leave its pipes.
        # "opens": only given to `open()` as what to open, which takes over a descriptor
        # but cannot be given a file object (a path or a stream: the stream is borrowed).
        rank = {"borrow": 0, "opens": 1, "escape": 2, "wait": 3, "release": 4}
        me = _first_param(node) if class_name is not None and not _is_static(node) else None

        def mark(name: str, effect: str) -> None:
            if name in names and rank[effect] > rank[effects.get(name, "borrow")]:
                effects[name] = effect

        if _trivial(node):
            # An abstract or stub method: an override decides, so assume it keeps its arguments.
            return dict.fromkeys(names, "escape")

        nodes = self.body_nodes(node)
        packed = _packed_names(nodes, names)
        for sub in nodes:
            if isinstance(sub, ast.Call):
                func = sub.func
                if (
                    isinstance(func, ast.Attribute)
                    and isinstance(func.value, ast.Name)
                    and func.attr in release_names
                ):
                    mark(func.value.id, "wait" if func.attr in WAITING else "release")
                qual = (
                    self.resolver.qualify(func)
                    if isinstance(func, (ast.Name, ast.Attribute))
                    else None
                )
                # `Thread(target=relay, args=(proxy, peer))`, `late.extend((proxy, peer))`: a
                # tuple or list of parameters is handed on with its elements.
                arg_names = [n for a in sub.args for n in _structural_names(a)]
                arg_names += [n for k in sub.keywords for n in _structural_names(k.value)]
                if not arg_names:
                    continue
                if qual in ("os.close", "contextlib.closing"):
                    for n in arg_names:
                        mark(n, "release")
                elif isinstance(func, ast.Name) and func.id in self.defs and func.id != node.name:
                    callee = self.functions.get(func.id)
                    for i, a in enumerate(sub.args):
                        if isinstance(a, ast.Name) and callee is not None:
                            mark(a.id, callee.param_effect(i, None))
                elif (callee := self._own_method(func, me, class_name, node.name)) is not None:
                    # `self._copy_file(fp)`: what the class's own method does with it.
                    _mark_by(callee, sub, mark)
                elif qual in _OPENING and sub.args and isinstance(sub.args[0], ast.Name):
                    mark(sub.args[0].id, "opens")
                    for n in arg_names:
                        if n != sub.args[0].id:
                            mark(n, "escape")
                elif not _is_borrowing_call(func, qual):
                    for n in arg_names:
                        mark(n, "escape")
                        for m in packed.get(n, ()):
                            mark(m, "escape")
            elif isinstance(sub, (ast.With, ast.AsyncWith)):
                for item in sub.items:
                    if isinstance(item.context_expr, ast.Name):
                        mark(item.context_expr.id, "release")
            else:
                # `return f`, `yield f`, `self.f = f`: the parameter itself is handed on.
                value = _handed_on(sub)
                if value is not None:
                    for n in _structural_names(value):
                        mark(n, "escape")
                        for m in packed.get(n, ()):
                            mark(m, "escape")
        waited = [n for n, e in effects.items() if e == "wait"]
        if waited:
            # A helper that waits for the caller's process and closes the pipes it reads
            # (python-gnupg's `_collect_output`) ends it as `communicate()` would: the
            # caller's piped process is released there, as a unit of its own that closes
            # pipes by hand already has its `wait()` count (`scope.pipes_closed`).
            for n in _pipes_closed(nodes, waited):
                effects[n] = "release"
        return effects

    def _wrapping(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef, summary: FunctionSummary
    ) -> None:
        """`def spawn(self, sock): return SocketSpawn(sock)`, all its body: a call takes its
        argument over as the other module's class does (see summaries.wrappers)."""
        from unleak.summaries.wrappers import owned_arguments

        body = node.body
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body = body[1:]  # a docstring
        if len(body) != 1 or not isinstance(body[0], ast.Return):
            return
        call = body[0].value
        if not isinstance(call, ast.Call) or not isinstance(call.func, (ast.Name, ast.Attribute)):
            return
        qual = self.resolver.qualify(call.func)
        wrapper = self.external.get(qual) if qual is not None else None
        if wrapper is None or not wrapper.owns:
            return
        params = {*summary.params, *summary.kwonly}
        owns: dict[str, tuple[str, ...]] = {}
        converts: set[str] = set()
        for param, arg in owned_arguments(call, wrapper.owns, wrapper.params):
            if isinstance(arg, ast.Name) and arg.id in params:
                owns[arg.id] = wrapper.owns[param]
                if param in wrapper.converts:
                    converts.add(arg.id)
        if owns:
            summary.owns = owns
            summary.owner_release = wrapper.owner_release
            summary.converts = frozenset(converts)

    def _own_method(
        self, func: ast.expr, me: str | None, class_name: str | None, current: str
    ) -> FunctionSummary | None:
        """`self.helper` in a method of ``class_name`` (not the method itself): its summary."""
        if (
            me is None
            or class_name is None
            or not isinstance(func, ast.Attribute)
            or not isinstance(func.value, ast.Name)
            or func.value.id != me
            or func.attr == current
        ):
            return None
        cls = self.classes.get(class_name)
        found: FunctionSummary | None = cls.methods.get(func.attr) if cls is not None else None
        return found


# Calls that open what their first argument names: a path, or a descriptor they take over.
_OPENING = frozenset({"builtins.open", "io.open"})


def _mark_by(callee: FunctionSummary, call: ast.Call, mark: Callable[[str, str], None]) -> None:
    """Mark the names given to ``call`` with what ``callee`` does to its parameters (a name
    packed in a tuple or given after `*args` is handed on)."""
    for i, a in enumerate(call.args):
        if isinstance(a, ast.Starred):
            for n in _structural_names(a.value):
                mark(n, "escape")
        elif isinstance(a, ast.Name):
            mark(a.id, callee.param_effect(i, None))
        else:
            for n in _structural_names(a):
                mark(n, "escape")
    for k in call.keywords:
        if k.arg is not None and isinstance(k.value, ast.Name):
            mark(k.value.id, callee.param_effect(None, k.arg))
        else:
            for n in _structural_names(k.value):
                mark(n, "escape")


def _first_param(node: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    args = node.args.posonlyargs + node.args.args
    return args[0].arg if args else None


def _packed_names(nodes: list[ast.AST], params: set[str]) -> dict[str, set[str]]:
    """Locals that pack parameters into a tuple or list: `pair = (proxy, peer)`, or
    `for pair in ((a, proxy), (proxy, b)):`, or that are one under another name
    (`result = file_obj`); handing `pair` or `result` on hands the parameters on.
    ``nodes``: the function's body (`walk_body`)."""
    out: dict[str, set[str]] = {}
    for sub in nodes:
        if isinstance(sub, ast.Assign) and len(sub.targets) == 1:
            target, value = sub.targets[0], sub.value
            elts = [value]
        elif isinstance(sub, (ast.For, ast.AsyncFor)) and isinstance(
            sub.iter, (ast.Tuple, ast.List)
        ):
            target, elts = sub.target, list(sub.iter.elts)
        else:
            continue
        if not isinstance(target, ast.Name):
            continue
        if isinstance(value := elts[0], ast.Name) and len(elts) == 1:
            # An alias, in the order the body is walked: `a = param; b = a` follows both.
            aliased = {value.id} & params | out.get(value.id, set())
            if aliased:
                out.setdefault(target.id, set()).update(aliased)
            continue
        found = {
            n
            for e in elts
            if isinstance(e, (ast.Tuple, ast.List))
            for n in _structural_names(e)
            if n in params
        }
        if found:
            out.setdefault(target.id, set()).update(found)
    return out


# A process's release methods that do not close its pipes.
WAITING = frozenset({"wait", "poll"})


def _pipes_closed(nodes: list[ast.AST], names: list[str]) -> set[str]:
    """Those of ``names`` (processes) whose pipes the body closes, each pipe it uses: by
    `p.stdout.close()`, or under a name bound to (a wrapper of) one (`out = p.stdout`,
    `err = codecs.getreader(enc)(p.stderr)`, `for s in (p.stdin, p.stdout):`) and closed.
    A process none of whose pipes the body uses is not among them."""
    wanted = set(names)
    used: dict[str, set[str]] = {}  # process -> pipes the body reads
    closed: dict[str, set[str]] = {}  # process -> pipes closed
    aliases: dict[str, set[tuple[str, str]]] = {}  # local -> (process, pipe) bound to it
    closes: list[ast.expr] = []  # receivers of `.close()`
    for sub in nodes:
        if (
            isinstance(sub, ast.Attribute)
            and sub.attr in POPEN_PIPES
            and isinstance(sub.value, ast.Name)
            and sub.value.id in wanted
        ):
            used.setdefault(sub.value.id, set()).add(sub.attr)
        elif (
            isinstance(sub, ast.Call)
            and isinstance(sub.func, ast.Attribute)
            and sub.func.attr == "close"
            and not sub.args
        ):
            closes.append(sub.func.value)
        target: ast.expr | None = None
        value: ast.expr | None = None
        if isinstance(sub, ast.Assign) and len(sub.targets) == 1:
            target, value = sub.targets[0], sub.value
        elif isinstance(sub, (ast.For, ast.AsyncFor)):
            target, value = sub.target, sub.iter
        if isinstance(target, ast.Name) and value is not None:
            for inner in walk(value):
                if (
                    isinstance(inner, ast.Attribute)
                    and inner.attr in POPEN_PIPES
                    and isinstance(inner.value, ast.Name)
                    and inner.value.id in wanted
                ):
                    aliases.setdefault(target.id, set()).add((inner.value.id, inner.attr))
    for recv in closes:
        if (
            isinstance(recv, ast.Attribute)
            and recv.attr in POPEN_PIPES
            and isinstance(recv.value, ast.Name)
        ):
            closed.setdefault(recv.value.id, set()).add(recv.attr)
        elif isinstance(recv, ast.Name):
            for proc, pipe in aliases.get(recv.id, ()):
                closed.setdefault(proc, set()).add(pipe)
    return {n for n in wanted if used.get(n) and used[n] <= closed.get(n, set())}


def _handed_to_calls(node: ast.AST, summaries: ModuleSummaries) -> set[str]:
    """Names the function hands to another call or registers a release for
    (`self.addCleanup(s.close)`, `stack.enter_context(f)`): returning them afterwards does
    not give the caller a resource to release."""
    from unleak.catalogue import BORROWERS, BORROWING_METHODS

    out: set[str] = set()
    for sub in summaries.body_nodes(node):
        if not isinstance(sub, ast.Call):
            continue
        func = sub.func
        if isinstance(func, ast.Attribute) and func.attr in BORROWING_METHODS:
            continue
        if summaries.resolver.qualify(func) in BORROWERS:
            continue
        local = (
            summaries.functions.get(func.id)
            if isinstance(func, ast.Name) and func.id in summaries.defs
            else None
        )
        for arg in [*sub.args, *(k.value for k in sub.keywords)]:
            if local is not None and isinstance(arg, ast.Name):
                index = sub.args.index(arg) if arg in sub.args else None
                if local.param_effect(index, None) == "borrow":
                    continue
            if isinstance(arg, (ast.Name, ast.Tuple, ast.List, ast.Set)):
                out.update(_structural_names(arg))  # `conns.extend((a, b))` too
            elif isinstance(arg, ast.Attribute) and isinstance(arg.value, ast.Name):
                out.add(arg.value.id)  # a bound method such as `s.close`
    return out


def _branch_statements(stmt: ast.Try | ast.If) -> list[ast.stmt]:
    """The statements of a module-level `try` (body, handlers, else) or `if` (both arms),
    one level down."""
    if isinstance(stmt, ast.If):
        return [*stmt.body, *stmt.orelse]
    return [*stmt.body, *(s for h in stmt.handlers for s in h.body), *stmt.orelse]


def _stored_on_self(node: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """Names a method stores on its instance (`self.socket = sock`): the instance keeps what
    it returns too, so a caller that drops the result loses nothing."""
    args = [*node.args.posonlyargs, *node.args.args]
    if not args or any(
        isinstance(d, ast.Name) and d.id in ("staticmethod", "classmethod")
        for d in node.decorator_list
    ):
        return set()
    me = args[0].arg
    out: set[str] = set()
    for sub in iter_statements(node.body, nested=False):
        if isinstance(sub, ast.Assign) and isinstance(sub.value, ast.Name):
            for target in sub.targets:
                if (
                    isinstance(target, ast.Attribute)
                    and isinstance(target.value, ast.Name)
                    and target.value.id == me
                ):
                    out.add(sub.value.id)
    return out


# Calls whose result is no resource whatever the annotation says (in-memory buffers,
# casts, lookups).
_NOT_FRESH = frozenset({"StringIO", "BytesIO", "cast", "getattr", "get", "pop", "setdefault"})


def _released_unconditionally(
    body: list[ast.stmt], name: str, release: frozenset[str], before: int
) -> bool:
    """Whether a statement of the function's own top level (run on every path that gets
    past it), before line ``before`` (its first `return`), calls a release method on
    ``name``: `out, err = p.communicate()`."""
    for stmt in body:
        if stmt.lineno >= before:
            break
        if _calls_release(stmt, name, release):
            return True
    return False


def _calls_release(stmt: ast.stmt, name: str, release: frozenset[str]) -> bool:
    """Whether the statement is a call of a release method on ``name`` (its result bound or
    not): `p.wait()`, `out, err = p.communicate()`."""
    if not isinstance(stmt, (ast.Expr, ast.Assign, ast.AnnAssign)):
        return False
    call = stmt.value.value if isinstance(stmt.value, ast.Await) else stmt.value
    return (
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Attribute)
        and isinstance(call.func.value, ast.Name)
        and call.func.value.id == name
        and call.func.attr in release
    )


def _released_after_acquisitions(
    body: list[ast.stmt], name: str, release: frozenset[str], acquires: Callable[[ast.expr], bool]
) -> bool:
    """Whether each statement that binds ``name`` to a fresh resource (``acquires``), in
    whatever block, is followed in that block by one calling a release method on ``name``,
    with no `return`, `break` or `continue` between, and no handler around it that could
    swallow the release's failure: `p = Popen(...); out, err = p.communicate()` in a branch,
    then `return p, out, err`."""
    found = False
    released = True

    def visit(stmts: list[ast.stmt], guarded: bool) -> None:
        nonlocal found, released
        for i, stmt in enumerate(stmts):
            if _binds(stmt, name) and acquires(stmt.value):  # type: ignore[attr-defined]
                found = True
                if guarded or not _release_follows(stmts[i + 1 :], name, release):
                    released = False
            for block, inner in _blocks(stmt, guarded):
                visit(block, inner)

    visit(body, False)
    return found and released


def _binds(stmt: ast.stmt, name: str) -> bool:
    return (
        isinstance(stmt, ast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], ast.Name)
        and stmt.targets[0].id == name
    )


def _rebound_returns(
    body: list[ast.stmt], names: set[str], acquires: Callable[[ast.expr], bool]
) -> set[int]:
    """The ids of the returned names (of ``names``) that an earlier statement of the same block
    binds to a value that is no resource (`resp = {...}` ... `return resp`)."""
    out: set[int] = set()
    stack = [body]
    while stack:
        block = stack.pop()
        plain: set[str] = set()  # bound to something else earlier in this block
        for stmt in block:
            if isinstance(stmt, ast.Return) and isinstance(stmt.value, ast.Name):
                if stmt.value.id in plain:
                    out.add(id(stmt.value))
            elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                target = stmt.targets[0]
                if isinstance(target, ast.Name) and target.id in names:
                    if acquires(stmt.value):
                        plain.discard(target.id)
                    else:
                        plain.add(target.id)
            elif plain:
                # A nested block may bind the name again: what it holds after is not known.
                plain -= {
                    n.id
                    for n in walk(stmt)
                    if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)
                }
            for inner, _ in _blocks(stmt, False):
                stack.append(inner)
    return out


def _blocks(stmt: ast.stmt, guarded: bool) -> list[tuple[list[ast.stmt], bool]]:
    """The statement lists inside ``stmt`` (not in nested definitions), each with whether a
    handler around it may swallow an exception (one that does not end by raising)."""
    if isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
        stmt = cast(ast.Try, stmt)  # a TryStar has the same fields
        swallows = guarded or any(
            not (h.body and isinstance(h.body[-1], ast.Raise)) for h in stmt.handlers
        )
        return [
            (stmt.body, swallows),
            *((h.body, guarded) for h in stmt.handlers),
            (stmt.orelse, guarded),
            (stmt.finalbody, guarded),
        ]
    if isinstance(stmt, ast.Match):
        return [(case.body, guarded) for case in stmt.cases]
    if isinstance(stmt, (ast.If, ast.For, ast.AsyncFor, ast.While)):
        return [(stmt.body, guarded), (stmt.orelse, guarded)]
    if isinstance(stmt, (ast.With, ast.AsyncWith)):
        return [(stmt.body, guarded)]
    return []


def _release_follows(rest: list[ast.stmt], name: str, release: frozenset[str]) -> bool:
    for stmt in rest:
        if _calls_release(stmt, name, release):
            return True
        for node in walk(stmt):
            if isinstance(node, (ast.Return, ast.Break, ast.Continue)):
                return False  # it may leave before the release (conservatively)
            if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Store):
                return False  # rebound first
    return False


def _fresh(value: ast.expr, assigned: dict[str, str], refs: dict[str, str]) -> bool:
    """Whether a returned value is made by the function (a call's result), not a parameter,
    an attribute or a constant handed back."""
    if isinstance(value, ast.Await):
        value = value.value
    if isinstance(value, ast.Call):
        func = value.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        return name not in _NOT_FRESH
    return isinstance(value, ast.Name) and (value.id in assigned or value.id in refs)


def _parse_annotation(text: str) -> ast.expr | None:
    try:
        return ast.parse(text, mode="eval").body
    except SyntaxError:
        return None


def _trivial(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    body = node.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # docstring
    return all(
        isinstance(s, (ast.Pass, ast.Raise))
        or (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
        for s in body
    )


def _handed_on(node: ast.AST) -> ast.expr | None:
    if isinstance(node, (ast.Return, ast.Yield, ast.YieldFrom)):
        return node.value
    if isinstance(node, ast.Assign) and any(not isinstance(t, ast.Name) for t in node.targets):
        return node.value
    return None


def _structural_names(expr: ast.expr) -> list[str]:
    """Names whose object *is* the value (or part of a literal), not names merely used to
    compute it: `return f` and `return (f, n)` hand `f` over; `return len(f.read())` does not."""
    if isinstance(expr, ast.Name):
        return [expr.id]
    if isinstance(expr, (ast.Tuple, ast.List, ast.Set)):
        return [n for e in expr.elts for n in _structural_names(e)]
    if isinstance(expr, ast.Dict):
        return [n for e in expr.values for n in _structural_names(e)]
    if isinstance(expr, ast.IfExp):
        return _structural_names(expr.body) + _structural_names(expr.orelse)
    if isinstance(expr, ast.BoolOp):
        return [n for e in expr.values for n in _structural_names(e)]
    if isinstance(expr, (ast.Starred, ast.Await, ast.NamedExpr)):
        return _structural_names(expr.value)
    return []


def _is_borrowing_call(func: ast.expr, qual: str | None) -> bool:
    from unleak.catalogue import BORROWERS, BORROWING_METHODS

    if qual is not None and (qual in BORROWERS or qual.startswith("os.path.")):
        return True  # os.path's functions only look at a path (or a descriptor)
    return isinstance(func, ast.Attribute) and func.attr in BORROWING_METHODS


def _is_static(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in node.decorator_list)


def _is_generator(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    for stmt in iter_statements(node.body, nested=False):
        value = getattr(stmt, "value", None)
        if isinstance(value, ast.Await):
            value = value.value
        if isinstance(value, (ast.Yield, ast.YieldFrom)):
            return True
    return False


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
_AST = ast.AST
# The last few bodies walked, by node (the node is kept with its walk, so that its id is not
# reused while the entry lives): a function's summary walks its body several times in a row
# (its parameters' effects, the names packing them, the calls they are handed to).
_RECENT_BODIES: dict[int, tuple[ast.AST, list[ast.AST]]] = {}
_RECENT_MAX = 8


def _walk_body(node: ast.AST) -> list[ast.AST]:
    """All nodes of a function body, not entering nested functions, classes or lambdas
    (depth first, last child first). The list is shared: do not change it."""
    recent = _RECENT_BODIES.get(id(node))
    if recent is not None and recent[0] is node:
        return recent[1]
    out: list[ast.AST] = []
    stack = children(node)
    while stack:
        n = stack.pop()
        if isinstance(n, _SCOPES):
            continue
        out.append(n)
        # `children(n)`, inlined: the engine's hottest loop.
        for name in n._fields:
            value = getattr(n, name, None)
            if isinstance(value, list):
                stack.extend([item for item in value if isinstance(item, _AST)])
            elif isinstance(value, _AST):
                stack.append(value)
    if len(_RECENT_BODIES) >= _RECENT_MAX:
        del _RECENT_BODIES[next(iter(_RECENT_BODIES))]
    _RECENT_BODIES[id(node)] = (node, out)
    return out


walk_body = _walk_body


def fingerprint(summary: FunctionSummary | None) -> tuple[object, ...]:
    """What callers depend on: whether it returns a resource, what it does to its parameters
    and which it takes over into its result."""
    if summary is None:
        return ()
    return (
        summary.returns,
        summary.return_elements,
        summary.ref,
        tuple(sorted(summary.effects.items())),
        summary.cannot_raise,
        summary.fails,
        tuple(sorted(summary.owns.items())),
        tuple(sorted(summary.owner_release)),
        tuple(sorted(summary.converts)),
        tuple(sorted((p, tuple(sorted(m))) for p, m in summary.released_via.items())),
        summary.chosen_by,
        summary.released_if,
    )


class _LazyMap:
    """A read-only mapping whose values are computed on first lookup."""

    def __init__(
        self, compute: object, prefix: str = "", owner: ModuleSummaries | None = None
    ) -> None:
        self._compute = compute
        self._cache: dict[str, object] = {}
        self._prefix = prefix
        self._owner = owner

    def get(self, key: str):  # type: ignore[no-untyped-def]
        if key not in self._cache:
            self._cache[key] = self._compute(key)  # type: ignore[operator]
        value = self._cache[key]
        if self._owner is not None:
            self._owner.tracker.used(self._prefix + key)
            if self._owner.consulted is not None:
                self._owner.consulted.add(self._prefix + key)
        return value
