"""Analysis of one module: units (module body, class bodies, functions), their flows, and the
classification of leaks into rule codes."""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property, partial
from typing import TypeGuard

from unleak.catalogue import (
    DEFAULT_CATALOGUE,
    EXPECT_RAISES,
    FACTORIES,
    LOCKS,
    TERMINATORS,
    Catalogue,
)
from unleak.catalogue.failures import yield_is_resumed
from unleak.findings import messages
from unleak.findings.decorator_locks import decorator_locks, module_decorators
from unleak.findings.detached import started_detached
from unleak.findings.doubtful import doubt, doubtful_message
from unleak.findings.incremental import UnitCache, UnitEntry, shift
from unleak.findings.likelihood import plausible_leak
from unleak.findings.lock_handoff import (
    known_not_a_lock,
    lock_context,
    recorded_held,
    released_by_sibling,
)
from unleak.findings.mocks import is_patched, patched_targets
from unleak.findings.model import Finding, Fix, Related
from unleak.findings.process_lifetime import PROCESS_CLASSES, process_bodies
from unleak.findings.shipped_source import ENDS as SHIPPED_ENDS
from unleak.findings.shipped_source import source_reads
from unleak.flow.cfg import ITER, WITH, CFGBuilder, Node, contains_yield
from unleak.flow.containers import local_containers
from unleak.flow.derived import dependence
from unleak.flow.effects import Effect, EffectBuilder, Scope, SiteInfo
from unleak.flow.module_names import OwnedNames, owned_names
from unleak.flow.ownership import FunctionFlow, Leak, SiteResult
from unleak.flow.skipping import Skipper
from unleak.index.extract import summary_words
from unleak.names.local_bindings import may_bind, rebound
from unleak.names.resolver import NameResolver, iter_statements, module_alias_lines
from unleak.names.text import expr_text
from unleak.names.triggers import TriggerIndex, base_words, scan_words
from unleak.settings import Settings, Severity
from unleak.source.class_parse import first_line
from unleak.source.facts import StatementFacts, fact
from unleak.source.parsing import ParsedModule, parse_module
from unleak.source.spans import LineRanges, Span
from unleak.source.text import SourceText
from unleak.source.walk import children, walk
from unleak.summaries.external import install_external
from unleak.summaries.functions import (
    CALLABLE,
    CLASS_ATTRIBUTE,
    CONSTRUCTOR,
    ModuleSummaries,
    fingerprint,
    walk_body,
)
from unleak.summaries.types import call_type, declared_types, expr_type, instance_class
from unleak.summaries.wrappers import (
    Wrapper,
    adopting_methods,
    pipes_taken_over,
    wrapper_summary,
)

_BASE_WORDS: dict[int, frozenset[str]] = {}
_WORDS = re.compile(r"[^\W\d]\w*")  # the names a text may use
# The name under which a cached unit's findings record the module's names they depend on.
_MODULE_NAMES = "<module names>"
# ... and the lock context of a class (only units that ran a lock check depend on it).
_LOCK_CONTEXT = "<lock context>"
# A class of the module that takes over a process's pipes (summaries/wrappers.py), by name.
_WRAPPER = "<wrapper>"
# The cache key's kind for the statements of a class body (after the code of the rule: none
# for the leak analysis).
_CLASS_BODY = "<class body>"
# An indented import: after a newline, so that the regex engine skips ahead to newlines (a
# pattern starting with `^` is tried at every position of the text).
_NESTED_IMPORT = re.compile(r"\n[ \t]+(?:import|from)[ \t]")
_NESTED_IMPORT_FIRST = re.compile(r"[ \t]+(?:import|from)[ \t]")


def _may_raise(node: ast.AST) -> TypeGuard[ast.Call | ast.Subscript]:
    """A call, or an item read (`db[key]` raises KeyError; a slice hardly raises): what a
    message names as the expression that raises on its line."""
    return isinstance(node, ast.Call) or (
        isinstance(node, ast.Subscript)
        and isinstance(node.ctx, ast.Load)
        and not isinstance(node.slice, ast.Slice)
    )


def _base_words(catalogue: Catalogue) -> frozenset[str]:
    # The default catalogue's words are computed once per process.
    key = (
        len(catalogue.factories)
        if catalogue.factories.keys() == DEFAULT_CATALOGUE.factories.keys()
        else -1
    )
    if key in _BASE_WORDS:
        return _BASE_WORDS[key]
    words = frozenset(base_words(catalogue))
    if key != -1:
        _BASE_WORDS[key] = words
    return words


# `proc.stdout.close()`, `with proc.stdout:`, `for s in (proc.stdout, proc.stderr):`: pipes
# closed by hand.
_PIPE_CLOSED = re.compile(
    r"\.(?:stdin|stdout|stderr)\.close\(|with\s+[\w.]+\.(?:stdin|stdout|stderr)\b"
    r"|for\s+\w+\s+in\s+[(\[][^)\]]*\.(?:stdin|stdout|stderr)\b"
)
# `stdin = cast(TextIO, proc.stdin)`: a name for one of a process's pipes.
_PIPE_ALIAS = re.compile(r"^\s*(\w+)\s*(?::[^=]*)?=[^=].*\.(?:stdin|stdout|stderr)\b")


def _made_objects(node: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """Names the function binds only to the result of a call (`worker = Mock()`): objects it
    made, which carry what is stored on them when they are returned."""
    made: set[str] = set()
    other: set[str] = {a.arg for a in walk(node.args) if isinstance(a, ast.arg)}
    for stmt in iter_statements(node.body, nested=False):
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target = stmt.targets[0]
            if isinstance(target, ast.Name):
                (made if isinstance(stmt.value, ast.Call) else other).add(target.id)
                continue
        for sub in walk(stmt):
            if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                other.add(sub.id)
    return made - other


def _closes_pipes(lines: list[str]) -> bool:
    """Whether a unit closes a process's pipes by hand, directly or through a name given
    to one of them."""
    # Both patterns match only a line that spells `.stdin`, `.stdout` or `.stderr`: the
    # others are not searched (a module's code is every line of the module).
    piped = [line for line in lines if ".std" in line]
    if any(_PIPE_CLOSED.search(line) for line in piped):
        return True
    aliases = {m.group(1) for line in piped if (m := _PIPE_ALIAS.match(line))}
    if not aliases:
        return False
    closed = re.compile(r"\b(?:" + "|".join(map(re.escape, aliases)) + r")\.close\(")
    return any(closed.search(line) for line in lines)


_CONTEXT_MANAGERS = frozenset({"contextlib.contextmanager", "contextlib.asynccontextmanager"})
# The builtins that make a resource (`open`): a function that rebinds one calls something else.
_BUILTIN_FACTORIES = frozenset(
    qual.removeprefix("builtins.") for qual in FACTORIES if qual.startswith("builtins.")
)


@dataclass
class LeakContext:
    """What a rule's fix builder gets for a leak: where, what, and in which definition."""

    module: ModuleAnalysis
    scope: ast.AST  # the function (or module or class) the resource lives in
    body: list[ast.stmt]
    info: SiteInfo

    @property
    def is_async(self) -> bool:
        return isinstance(self.scope, ast.AsyncFunctionDef)


@dataclass(frozen=True)
class Hooks:
    """What the layers above plug into an analysis, so that the engine imports neither the
    rules nor the fixes: each rule's default severity, and the builder of a finding's fix
    (given the rule's code and what the finding knows about its site)."""

    severities: Mapping[str, Severity] = field(default_factory=dict)
    fix: Callable[[str, object], Fix | None] | None = None


NO_HOOKS = Hooks()


@dataclass
class Unit:
    """A definition analysed on its own: a function, or a module or class body."""

    node: ast.AST
    body: list[ast.stmt]
    class_name: str | None
    module_scope: bool
    last_line: int
    # The functions a nested function is defined in, innermost last: their locals are its
    # free names (`open` rebound in one of them is not the builtin in it).
    enclosing: tuple[ast.FunctionDef | ast.AsyncFunctionDef, ...] = ()
    # The class of the method a nested function is defined in: its `self` is that method's
    # (`def _make_acquire(self): def acquire(): self.lock.acquire()`).
    outer_class: str | None = None


class ModuleAnalysis:
    def __init__(
        self,
        text: str,
        path: str,
        settings: Settings,
        module_name: str = "",
        unit_cache: UnitCache | None = None,
        lines: list[str] | None = None,
        hooks: Hooks = NO_HOOKS,
        parsed: ParsedModule | None = None,
        only: Sequence[tuple[int, int]] | None = None,
        names: tuple[SourceText, NameResolver] | None = None,
    ) -> None:
        """``lines``: `source_lines(text)`, when the caller has it already; ``parsed``: the
        text's tree, when the caller has it already (an editor reparses only what changed);
        ``only``: line ranges (first, last): the definitions' own analyses (`units`) run only
        for those that overlap one (a fix's check compares the findings of the definitions
        it changed, and no others); ``names``: the lines and names of another analysis of the
        same text and tree (which other modules' exports do not change)."""
        self.hooks = hooks
        self._only = only
        self.unit_cache = unit_cache
        self._added_words: list[str] = []
        self.path = path
        self.module_name = module_name
        self.settings = settings
        # The text the definitions analysed come from, and its first line number.
        self.scan_text = (1, text)
        self.parsed: ParsedModule = parsed if parsed is not None else parse_module(text)
        tree = self.parsed.tree
        segments = self.parsed.segments
        if names is not None:
            self.source, self.resolver = names
        else:
            self.source = SourceText(text, lines)
            nested_imports = (
                # A line scan: a fold of the scans of the text's pieces, kept while they are.
                segments.lines_where("nested imports", _nested_import_lines_of)
                if segments is not None
                else _nested_import_lines(text)
            )
            self.resolver = NameResolver(
                tree, module_name, nested_imports, _is_package(path), self.parsed.facts
            )
        self.catalogue = (
            Catalogue.with_extras(settings.extra_resources)
            if settings.extra_resources
            else Catalogue()
        )
        external = install_external(settings.external_summaries, self.catalogue)
        self.summaries = ModuleSummaries(
            tree, self.resolver, self.catalogue, external, self.parsed.facts
        )
        words = self._trigger_words()
        if segments is None:
            # One pass over the text for the words of its summary too (summarise scans for
            # them next, through the same `scan_words` record of the text).
            scan_words(text, words | summary_words(self.catalogue))
        self.triggers = TriggerIndex(text, words, segments=segments)
        if self.triggers:
            self._module_types()
            self._add_local_triggers()

    @classmethod
    def part(
        cls, base: ModuleAnalysis, source: SourceText, tree: ast.Module, first: int, last: int
    ) -> ModuleAnalysis:
        """An analysis of a few definitions (``tree``, lines ``first``..``last`` of
        ``source``) in the context of ``base``, an analysis of an earlier version of the same
        module: names, summaries, resource types and classes are taken from ``base``. Valid
        when what the definitions contribute to that context has not changed."""
        self = cls.__new__(cls)
        self.hooks = base.hooks
        self._only = None
        self.unit_cache = base.unit_cache
        self._added_words = base._added_words
        self.path = base.path
        self.module_name = base.module_name
        self.settings = base.settings
        self.source = source
        self.parsed = ParsedModule(tree)
        self.resolver = base.resolver
        self.catalogue = base.catalogue
        self.summaries = base.summaries
        text = "".join(line + "\n" for line in source.lines[first - 1 : last])
        self.scan_text = (first, text)
        self.triggers = TriggerIndex(text, base.triggers.words, first)
        self.__dict__["_module_context"] = base._module_key()
        self.__dict__["_attr_types"] = base.__dict__.setdefault("_attr_types", {})
        # What the module's other definitions say of these (``tree`` holds only these).
        self.__dict__["module_decorators"] = base.module_decorators
        self.__dict__["shipped_sources"] = base.shipped_sources
        self.__dict__["process_bodies"] = base.process_bodies
        return self

    def edited_member(self, method: ast.AST, scope: ast.ClassDef) -> None:
        """In an analysis of one edited method (`part`): its class as it lies in the edited
        text (``scope``: its header's and its members' first lines, and its last line, are
        what `_names_key` reads), whose words its cached findings depend on, as they do in
        a fresh analysis of the text (the class of ``self.summaries`` is the earlier one)."""
        self.__dict__["_edited_class"] = (method, scope)

    def dispose(self) -> None:
        """Let go of everything this analysis holds, once nothing more will be asked of it
        (its findings and summary are plain data): see `ModuleSummaries.dispose`."""
        summaries = self.__dict__.get("summaries")
        if isinstance(summaries, ModuleSummaries):
            summaries.dispose()
        units = self.__dict__.get("unit_cache")
        if units is not None and units.deferring:
            units.forget(self)
        self.__dict__.clear()

    def _trigger_words(self) -> set[str]:
        words = set(_base_words(self.catalogue))
        factories = self.catalogue.factories
        words |= {local for local, target in self.resolver.imports.items() if target in factories}
        external = self.summaries.external
        words |= {q.rsplit(".", 1)[-1] for q in external}
        # Imported under another name (`from pkg.db import connect as db_connect`).
        words |= {local for local, target in self.resolver.imports.items() if target in external}
        return words

    def _add_local_triggers(self) -> None:
        """Local functions returning fresh resources, and resource classes, trigger too."""
        from unleak.summaries.classes import register_resource_classes

        summaries = self.summaries
        for _ in range(4):  # a factory, a callable kept on self, a method calling it
            words: set[str] = set()
            for name, node in summaries.defs.items():
                if self.triggered(node):
                    summary = summaries.functions.get(name)
                    if summary is not None and summary.returns:
                        words.add(name)
            for cname, cnode in summaries.class_defs.items():
                if not self.triggered(cnode):
                    continue
                cls = summaries.classes.get(cname)
                for m in cnode.body:
                    if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef)) and self.triggered(m):
                        msum = cls.methods.get(m.name) if cls is not None else None
                        if msum is not None and msum.returns:
                            words.add(m.name)
                        if m.name == "__init__":
                            # `self.opener = opener` (defaulting to `open`): calls of it.
                            words.update(self._factory_callables(cname))
            words -= set(self._added_words)
            if not words:
                break
            self._added_words.extend(words)
            self.triggers.add(words)
        before = set(self.catalogue.types)
        register_resource_classes(self)
        classes = [t.split(":", 1)[1] for t in self.catalogue.types if t not in before]
        classes += self._resource_class_attrs()
        if classes:
            self.triggers.add(classes)

    def _resource_class_attrs(self) -> list[str]:
        """Class attributes naming a resource class (`conn_class = Connection`): a call
        `self.conn_class(...)` makes one (see `self_callable`)."""
        out = []
        types = self.catalogue.types
        external = self.summaries.external
        for cnode in self.summaries.class_defs.values():
            for stmt in cnode.body:
                if not (
                    isinstance(stmt, ast.Assign)
                    and len(stmt.targets) == 1
                    and isinstance(stmt.targets[0], ast.Name)
                    and isinstance(stmt.value, (ast.Name, ast.Attribute))
                ):
                    continue
                value = stmt.value
                if isinstance(value, ast.Name) and f"class:{value.id}" in types:
                    out.append(stmt.targets[0].id)
                    continue
                qual = self.resolver.qualify(value)
                known = external.get(qual) if qual is not None else None
                if known is not None and (known.returns or "").startswith("class:"):
                    out.append(stmt.targets[0].id)
        return out

    def _factory_callables(self, class_name: str) -> list[str]:
        """The attributes of ``class_name`` that hold a factory (see `class_callables`)."""
        out = []
        for attr, qual in self.summaries.class_callables(class_name).items():
            local = self.summaries.functions.get(qual.rpartition(".")[2])
            if qual in self.catalogue.factories or (
                local is not None and local.returns and qual.endswith(local.name)
            ):
                out.append(attr)
        return out

    def exports(self) -> dict[str, tuple[str, tuple[str | None, ...]]]:
        """Module-level functions returning a fresh resource of a catalogue type."""
        if not self.module_name or not self.triggers:
            return {}
        out: dict[str, tuple[str, tuple[str | None, ...]]] = {}
        for name, node in self.summaries.defs.items():
            if not self.triggered(node):
                continue
            summary = self.summaries.functions.get(name)
            if summary is not None and summary.returns and not summary.returns.startswith("class:"):
                out[f"{self.module_name}.{name}"] = (summary.returns, summary.return_elements)
        return out

    def triggered(self, node: ast.AST) -> bool:
        first = getattr(node, "lineno", 1)
        return self.triggers.any_between(first, getattr(node, "end_lineno", None) or first)

    # -- units ----------------------------------------------------------------------------

    @cached_property
    def units(self) -> list[Unit]:
        tree = self.parsed.tree
        units: list[Unit] = []
        last = len(self.source.lines) or 1
        units.append(Unit(tree, tree.body, None, True, last))
        self._add_units(tree.body, None, units)
        if self._only is not None:
            only = LineRanges(self._only)
            units = [
                u
                for u in units
                if not isinstance(u.node, ast.stmt)  # the module's own statements
                or only.overlaps(first_line(u.node), u.last_line)
            ]
        return units

    def _add_units(
        self,
        body: list[ast.stmt],
        class_name: str | None,
        units: list[Unit],
        enclosing: tuple[ast.FunctionDef | ast.AsyncFunctionDef, ...] = (),
        outer_class: str | None = None,
    ) -> None:
        # A method, not a closure calling itself: that would be a reference cycle keeping
        # the whole analysis for the cyclic garbage collector (see `dispose`).
        for stmt in body:
            if not self.triggered(stmt):
                continue
            for node in iter_statements([stmt], nested=False):
                if isinstance(node, ast.ClassDef):
                    end = node.end_lineno or node.lineno
                    units.append(Unit(node, node.body, node.name, True, end))
                    self._add_units(node.body, node.name, units)
                elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    end = node.end_lineno or node.lineno
                    units.append(
                        Unit(node, node.body, class_name, False, end, enclosing, outer_class)
                    )
                    # A closure's `self` is its method's, unless it binds its own.
                    inner = class_name if _first_param(node) == "self" else None
                    if class_name is None and outer_class and not rebound(node, _SELF):
                        inner = outer_class
                    self._add_units(node.body, None, units, (*enclosing, node), inner)

    # -- flow analysis --------------------------------------------------------------------

    def _flow_results(self, unit: Unit) -> list[SiteResult]:
        scope = self.scope_for(unit)
        if not self._acquires(unit, scope):
            return []
        builder = EffectBuilder(scope)
        script = isinstance(unit.node, ast.Module)
        sequences = _script_sequences(unit.node) if isinstance(unit.node, ast.Module) else ()
        cfg = CFGBuilder(self._ends_script if script else self._is_terminator, sequences).build(
            unit.body, unit.last_line
        )
        flow = FunctionFlow(cfg, builder, self._node_may_acquire)
        if script:
            flow.follow_exceptions = False
            flow.skipper = Skipper(cfg)
        flow.yield_resumed = yield_is_resumed(unit.node, self.resolver.qualify)
        if not flow.sites:
            return []
        results = flow.analyse()
        name_sites(flow.computed_effects(), flow)
        return results

    def _acquires(self, unit: Unit, scope: Scope) -> bool:
        """Whether any statement of the unit really acquires (a trigger word can be a false
        alarm: a comment, an unrelated `open` method); checked before building the CFG."""
        probe = EffectBuilder(scope)
        for stmt in iter_statements(unit.body, nested=False):
            for part in _heads(stmt):
                if self.triggered(part):
                    probe.statement(part, "test" if isinstance(part, ast.expr) else "stmt")
                    if probe.sites:
                        return True
        return False

    def _node_may_acquire(self, node: Node) -> bool:
        tree = node.ast
        if node.kind == ITER:
            tree = getattr(tree, "target", None)
        elif node.kind == WITH:
            tree = getattr(tree, "context_expr", None)
        elif isinstance(tree, (ast.ExceptHandler, ast.pattern)):
            return False
        return tree is not None and self.triggered(tree)

    def unit_triggered(self, unit: Unit) -> bool:
        if isinstance(unit.node, (ast.Module, ast.ClassDef)):
            return any(
                self.triggered(stmt)
                for stmt in unit.body
                if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            )
        return self.triggered(unit.node)

    def _is_terminator(self, func: ast.expr) -> bool:
        qual = self.resolver.qualify(func)
        return qual is not None and qual in TERMINATORS

    @property
    def module_owned(self) -> OwnedNames | None:
        """The module-level names the module keeps for its life (flow/module_names.py)."""
        return self._owned.names()

    @cached_property
    def _owned(self) -> _OwnedWhenAsked:
        return _OwnedWhenAsked(self.parsed, self.source.text)

    def _ends_script(self, func: ast.expr) -> bool:
        """A terminator, or a call that serves until the process is stopped: what a script
        holds open then lives as long as the process (`server.serve_forever()`)."""
        if isinstance(func, ast.Attribute) and func.attr in _FOREVER:
            return True
        return self._is_terminator(func)

    def scope_for(self, unit: Unit) -> Scope:
        cache: dict[int, Scope] = self.__dict__.setdefault("_scopes", {})
        if id(unit.node) not in cache:
            cache[id(unit.node)] = self._make_scope(unit)
        return cache[id(unit.node)]

    @cached_property
    def _mentions_pipe(self) -> bool:
        # Looked up once: searching the whole text for each unit made large modules quadratic.
        return "PIPE" in self.source.text

    @cached_property
    def module_decorators(self) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
        """The module's top-level functions, which may decorate its methods."""
        return module_decorators(self.parsed.tree)

    @cached_property
    def mentions_finally(self) -> bool:
        """Whether the text has the word ``finally`` anywhere (looked up once: searched for
        each unit, opening a module of 100,000 lines spent most of its time on it)."""
        return "finally" in self.source.text

    @cached_property
    def mentions_except(self) -> bool:
        """Whether the text has the word ``except`` anywhere (UL102's handler drops)."""
        return "except" in self.source.text

    def _shadowed(self, unit: Unit) -> frozenset[str]:
        """The builtin factories (`open`) that ``unit``, a function, or one it is nested in
        binds itself: there they name something else (local_bindings.py)."""
        node = unit.node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return frozenset()
        found: frozenset[str] = frozenset()
        for func in (*unit.enclosing, node):
            found |= self._rebound(func)
        return found

    def _rebound(self, func: ast.FunctionDef | ast.AsyncFunctionDef) -> frozenset[str]:
        cache: dict[int, frozenset[str]] = self.__dict__.setdefault("_rebound_cache", {})
        found = cache.get(id(func))
        if found is None:
            lines = self.source.lines[func.lineno - 1 : func.end_lineno or func.lineno]
            candidates = may_bind(lines, _BUILTIN_FACTORIES)
            # Its lines only ever call them: no walk of its tree.
            found = cache[id(func)] = rebound(func, candidates) if candidates else candidates
        return found

    def _wrapper_consulted(self, name: str) -> Wrapper | None:
        """wrapper_summary of this module's class ``name``, recorded as consulted."""
        consulted = self.summaries.consulted
        if consulted is not None:
            consulted.add(_WRAPPER + name)
        return wrapper_summary(self.summaries, name)

    def _make_scope(self, unit: Unit) -> Scope:
        scope = Scope(
            self.resolver.shadowing(self._shadowed(unit)),
            self.catalogue,
            self.summaries,
            class_name=unit.class_name,
            module_scope=unit.module_scope,
        )
        if unit.class_name is not None:
            scope.attr_types = self.class_attr_types(unit.class_name)
        node = unit.node
        if self._mentions_pipe:
            first = getattr(node, "lineno", 1)
            last = getattr(node, "end_lineno", None) or unit.last_line
            lines = self.source.lines[first - 1 : last]
            scope.pipes_closed = _closes_pipes(lines) or (
                any(".std" in line for line in lines)
                and pipes_taken_over(node, self._wrapper_consulted)
            )
        if isinstance(node, ast.Module):
            scope.module_owned = self._owned
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            scope.init_owner = unit.class_name is not None and node.name == "__init__"
            resumed = yield_is_resumed(node, self.resolver.qualify)
            # A `@contextmanager` or a pytest fixture lends what it yields: its caller gives
            # it back by resuming the generator, which still owns it then.
            scope.lends_yields = resumed or any(
                self.resolver.qualify(d.func if isinstance(d, ast.Call) else d) in _CONTEXT_MANAGERS
                for d in node.decorator_list
            )
            declared_types(node, scope)  # annotations, pytest fixtures
            # Its decorators first: walking the whole body for a `yield` costs more.
            if resumed and not contains_yield(node):
                scope.fixture_returns = True
                scope.fixture_objects = _made_objects(node)
        body = (
            node.body
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            else []
        )
        lock_withs: list[tuple[str, int, int]] = []
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.decorator_list:
            # `@atomic` holding `with self._atomic:` around the call: the body is that block.
            for key in decorator_locks(node, self.module_decorators):
                lock_withs.append((key, node.lineno, node.end_lineno or node.lineno))
        releases: list[tuple[str, int]] = []
        for n in iter_statements(body, nested=False):
            if (
                isinstance(n, ast.Assign)
                and len(n.targets) == 1
                and isinstance(n.targets[0], ast.Name)
            ):
                value = n.value.value if isinstance(n.value, ast.Await) else n.value
                if isinstance(value, ast.Call):
                    t = call_type(value, scope)
                    if t is not None:
                        scope.var_types[n.targets[0].id] = t
                    elif (cls := instance_class(value, scope)) is not None:
                        scope.instances[n.targets[0].id] = cls
                    elif scope.summaries.external and (methods := adopting_methods(value, scope)):
                        scope.wrappers[n.targets[0].id] = methods
            elif isinstance(n, ast.Try) and n.handlers:
                # `try: Popen(bad) ... else: self.fail()` and `try: ZipFile(junk)
                # except BadZipFile: pass` expect the acquisition to fail.
                if any(_calls_fail(s) for s in n.orelse):
                    scope.expect_raise.append((n.body[0].lineno, n.body[-1].end_lineno or n.lineno))
                for s in n.body:
                    if (
                        isinstance(s, ast.Expr)
                        and isinstance(s.value, ast.Call)
                        and not any(_falls_back(h, s.value) for h in n.handlers)
                    ):
                        scope.expect_raise.append((s.lineno, s.end_lineno or s.lineno))
            elif isinstance(n, (ast.With, ast.AsyncWith)):
                if n.body and any(_expects_raise(item.context_expr) for item in n.items):
                    # The last statement is the one expected to raise: what the ones before
                    # acquire was made (`sock = socket(); ...; session.expect(bogus)`).
                    scope.expect_raise.append((n.body[-1].lineno, n.end_lineno or n.lineno))
                for item in n.items:
                    if item.optional_vars is None and isinstance(
                        item.context_expr, (ast.Name, ast.Attribute)
                    ):
                        lock_withs.append(
                            (expr_text(item.context_expr), n.lineno, n.end_lineno or n.lineno)
                        )
                    if isinstance(item.optional_vars, ast.Name):
                        scope.with_targets.add(item.optional_vars.id)
                        if isinstance(item.context_expr, ast.Call):
                            t = call_type(item.context_expr, scope)
                            if t is not None:
                                scope.var_types[item.optional_vars.id] = t
            elif isinstance(n, (ast.Global, ast.Nonlocal)):
                scope.global_names.update(n.names)
            elif isinstance(n, ast.Expr):
                call = n.value.value if isinstance(n.value, ast.Await) else n.value
                if (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Attribute)
                    and call.func.attr == LOCKS.release
                    and isinstance(call.func.value, (ast.Name, ast.Attribute))
                    and not call.args
                ):
                    scope.lock_keys.add(expr_text(call.func.value))
                    releases.append((expr_text(call.func.value), n.lineno))
        scope.lock_withs = [
            w for w in lock_withs if any(k == w[0] and w[1] < ln <= w[2] for k, ln in releases)
        ]
        scope.stdio_opens = _stdio_opens(body, self.resolver)
        scope.containers = local_containers(body, self.resolver)
        if scope.instances:
            # A name bound more than once may hold something else where its method is called.
            stores = self._name_stores(node)
            scope.instances = {k: v for k, v in scope.instances.items() if stores[k] == 1}
        return scope

    def _name_stores(self, node: ast.AST) -> Counter[str]:
        """How often the definition's own code (not its nested scopes) binds each name: a
        module's, the fold of its statements' counts (kept while their trees are)."""
        if not isinstance(node, ast.Module):
            return _stores_in(self.summaries.body_nodes(node))
        facts = self.parsed.facts
        total: Counter[str] = Counter()
        for stmt in node.body:
            if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                total.update(fact(facts, stmt, "name stores", _statement_stores))
        return total

    def class_attr_types(self, class_name: str) -> dict[str, str]:
        cache = self.__dict__.setdefault("_attr_types", {})
        if class_name in cache:
            return cache[class_name]  # type: ignore[no-any-return]
        types: dict[str, str] = {}
        cls = self.summaries.class_defs.get(class_name)
        if cls is not None:
            scope = Scope(self.resolver, self.catalogue, self.summaries, class_name=class_name)
            types = dict(attribute_types(cls.body, scope, self.parsed.facts))
        cache[class_name] = types
        return types

    def _module_types(self) -> None:
        scope = Scope(self.resolver, self.catalogue, self.summaries, module_scope=True)
        for stmt in self.parsed.tree.body:
            if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call):
                t = call_type(stmt.value, scope)
                if t is None:
                    continue
                for target in stmt.targets:
                    if isinstance(target, ast.Name):
                        qual = self.resolver.qualify(target)
                        if qual:
                            self.summaries.module_types[qual] = t

    # -- classification -------------------------------------------------------------------

    def _leak_fix(self, code: str, res: SiteResult, unit: Unit) -> Fix | None:
        """The rule's fix for this leak, if its conditions hold."""
        return self.fix_for(code, LeakContext(self, unit.node, unit.body, res.info))

    def fix_for(self, code: str, context: object) -> Fix | None:
        """The fix the layer above builds for a finding of ``code``; None if there is none or
        it cannot be built (a fix must never cost the finding)."""
        build = self.hooks.fix
        if build is None:
            return None
        try:
            return build(code, context)
        except Exception:
            return None

    def _classify(self, results: list[SiteResult], unit: Unit) -> list[Finding]:
        out: list[Finding] = []
        unbound = self._unbound_sites(unit)
        script = isinstance(unit.node, ast.Module)
        for res in results:
            if script:
                # An exception out of module-level code ends the program (or the import that
                # ran it): a resource open on that path is not a leak worth a change; one a
                # handler catches, after which the script goes on, is.
                res = replace(
                    res,
                    leaks=_caught(res.leaks),
                    likely=None if res.likely is None else _caught(res.likely),
                )
            if not res.leaks or res.info.site[:2] in unbound:
                continue
            if script and self._kept_by_module(unit, res.info):
                continue
            if res.info.lock_key is not None and not res.handled_somewhere:
                # Acquired and never released in this function: handed to the caller on
                # purpose (`__enter__`, `lock()`), not a forgotten release on some path.
                continue
            if res.info.lock_key is not None and self._not_a_lock(unit, res.info.lock_key):
                continue
            if started_detached(res.info, res.handled_somewhere, unit.node):
                continue  # a daemon started in a session of its own, on purpose
            ends = self._ends_process(unit)
            if ends:
                # What the process body still holds when it returns or raises is released
                # as the process exits; losing it while running is still a leak.
                res = replace(res, leaks=[lk for lk in res.leaks if lk.kind not in ends])
                if not res.leaks:
                    continue
            if is_patched(self.resolver.qualify(res.info.node.func), self._patched(unit)):
                continue  # the test patched the factory: this makes a mock
            if res.info.lock_key is not None and self._lock_handed_on(unit, res.info.lock_key):
                # Returning with the lock held hands it on, also after an exception caught
                # on the way (a retried step that then succeeds); an exception that escapes
                # still leaks it: the caller never learns it holds the lock.
                likely = res.likely and [lk for lk in res.likely if _escapes(lk)]
                res = replace(res, leaks=[lk for lk in res.leaks if _escapes(lk)], likely=likely)
                if not res.leaks:
                    continue
            code, leak = classify(res)
            plausible = plausible_leak(code, res, leak, classify)
            finding = self._leak_finding(code, res, plausible or leak, unit)
            if plausible is None:  # every leaking path needs a statement that rarely fails
                severity = self.settings.unlikely_severity_for(code, finding.severity)
                finding = replace(finding, severity=severity)
            elif (reason := doubt(code, res, plausible)) is not None:  # an unreliable class
                severity = self.settings.unlikely_severity_for(code, finding.severity)
                if severity != finding.severity:
                    message = doubtful_message(finding.message, reason)
                    finding = replace(finding, severity=severity, message=message)
            fix = self._leak_fix(code, res, unit)
            out.append(replace(finding, fix=fix) if fix is not None else finding)
        return out

    @cached_property
    def _top_level(self) -> set[int]:
        """The ids of the module's top-level statements (a list lookup per unit was
        quadratic in large modules)."""
        return {id(stmt) for stmt in self.parsed.tree.body}

    def _ends_process(self, unit: Unit) -> frozenset[str]:
        """The leak kinds (return, raise) that end the process when a module-level function
        ends that way (see process_lifetime.py); empty for any other unit."""
        node = unit.node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return frozenset()
        if node.name in self.shipped_sources:
            return SHIPPED_ENDS  # run as a script in a process of its own
        if unit.class_name is not None:
            return frozenset()
        if id(node) not in self._top_level:
            return frozenset()
        return self.process_bodies.get(node.name, frozenset())

    @cached_property
    def shipped_sources(self) -> frozenset[str]:
        """The functions whose source the module ships to another process (shipped_source.py)."""
        return self.source_reads[1]

    @cached_property
    def source_reads(self) -> tuple[frozenset[str], frozenset[str]]:
        """The names whose source the module reads, and those it ships (`shipped_sources`)."""
        return source_reads(
            self.parsed.tree, self.source.text, self.resolver.qualify, self.parsed.facts
        )

    @cached_property
    def process_bodies(self) -> dict[str, frozenset[str]]:
        """The module-level functions whose leaks end the process (process_lifetime.py)."""
        return process_bodies(
            self.parsed.tree,
            self.resolver.qualify,
            self.source.text,
            self.parsed.facts,
            self.resolver.may_qualify_to(PROCESS_CLASSES),
        )

    def _kept_by_module(self, unit: Unit, info: SiteInfo) -> bool:
        """A value built from a module-level resource (`reader = csv.reader(src)`) is kept in
        a name the module's functions read: the resource lives as long as the module."""
        if info.var is None:
            return False  # dropped at once (`exec(open(p).read())`): nothing keeps it
        owned = self.module_owned
        if owned is None:
            return True
        dep = dependence(unit.body, {info.var}, self.resolver)
        return any(name in owned for name in dep.derived())

    def _patched(self, unit: Unit) -> frozenset[str]:
        cache: dict[int, frozenset[str]] = self.__dict__.setdefault("_patched_cache", {})
        if id(unit.node) not in cache:
            cache[id(unit.node)] = patched_targets(unit.node, self.resolver.qualify)
        return cache[id(unit.node)]

    def _not_a_lock(self, unit: Unit, lock_key: str) -> bool:
        cls = self._lock_class(unit)
        scopes: list[ast.AST] = [unit.node]
        if lock_key.startswith("self.") and cls is not None:
            scopes = list(cls.body)
        return known_not_a_lock(scopes, lock_key, self.resolver.qualify)

    def _lock_handed_on(self, unit: Unit, lock_key: str) -> bool:
        """A sibling method releases the lock, or the function records on the instance that
        it holds it: returning with it held is a hand-off."""
        if lock_key.startswith("self.") and recorded_held(unit.node, lock_key):
            return True
        cls = self._lock_class(unit)
        return cls is not None and released_by_sibling(cls, unit.node, lock_key)

    def _lock_class(self, unit: Unit) -> ast.ClassDef | None:
        """The class whose methods the lock checks read; the findings of a unit analysed for
        the cache depend on its lock context (lock_handoff.py) from then on."""
        # A closure's `self` is its method's (pebble's `ChannelMutex._make_acquire_method`
        # returns the acquire half of the pair `_make_release_method` returns the other of).
        cls = self.summaries.class_defs.get(unit.class_name or unit.outer_class or "")
        consulted = self.summaries.consulted
        if cls is not None and consulted is not None:
            consulted.add(_LOCK_CONTEXT + cls.name)
        return cls

    @cached_property
    def _all_leak_findings(self) -> list[Finding]:
        out: list[Finding] = []
        deep: list[Unit] = []
        for unit in self.units:
            if self.unit_triggered(unit):
                try:
                    out.extend(self._unit_leak_findings(unit))
                except RecursionError:
                    # Valid code nested deeper than the analysis can follow (a long `1 + 1 +
                    # ...`): this definition is not analysed, every other one still is.
                    deep.append(unit)
        self.__dict__["_too_deep"] = deep
        return out

    def too_deep(self) -> list[Unit]:
        """The definitions the leak analysis gave up on (nested too deeply), once it ran."""
        deep: list[Unit] = self.__dict__.get("_too_deep", [])
        return deep

    def _unit_leak_findings(self, unit: Unit) -> list[Finding]:
        return self.unit_findings(unit, "", lambda: self._classify(self._flow_results(unit), unit))

    def unit_findings(
        self, unit: Unit, kind: str, compute: Callable[[], list[Finding]]
    ) -> list[Finding]:
        """``compute()``: the findings of one kind (a rule's code; "" for the leak analysis)
        in a unit, reused from an earlier analysis of the same document when the unit's
        text and context are unchanged and so is every summary the computation consulted."""
        cache = self.unit_cache
        node = unit.node
        if cache is None:
            return compute()
        if isinstance(node, ast.ClassDef):
            # A module-level class's own statements: their analysis reads the class's text
            # alone (and what it consults), like a function's.
            if id(node) not in self._top_level:
                return compute()
            kind = kind + _CLASS_BODY
        elif not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return compute()
        if cache.deferring:
            # Nothing to look up yet; keyed later, if at all (see `UnitCache.settle`). The
            # module's part of every key is taken now, as a keyed analysis takes it.
            self._module_key()
        else:
            first, text, context = self._unit_key(unit)
            entry = cache.get(((kind, context) if kind else context, text))
            if (
                entry is not None
                and (entry.fixes or self.hooks.fix is None)
                and all(self._fingerprint(name) == fp for name, fp in entry.consulted.items())
            ):
                cache.hits += 1
                return [shift(f, first - entry.first_line) for f in entry.findings]
        cache.misses += 1
        self.summaries.consulted = set()
        try:
            findings = compute()
        finally:
            consulted, self.summaries.consulted = self.summaries.consulted, None
        if cache.deferring:
            cache.defer(self, partial(self._keep_unit, unit, kind, findings, consulted))
        else:
            self._keep_unit(unit, kind, findings, consulted)
        return findings

    def _keep_unit(
        self, unit: Unit, kind: str, findings: list[Finding], consulted: set[str]
    ) -> None:
        """Put a unit's findings of one kind, and the summaries their computation consulted,
        in the unit cache."""
        cache = self.unit_cache
        assert cache is not None
        first, text, context = self._unit_key(unit)
        key = ((kind, context) if kind else context, text)
        builds_fixes = self.hooks.fix is not None
        inside = all(
            first <= e.span.line and e.span.end_line <= unit.last_line
            for f in findings
            if f.fix is not None
            for e in f.fix.edits
        )
        if inside:  # a fix that edits elsewhere (an import) cannot simply be shifted
            if any(f.fix is not None for f in findings):
                # A fix may use (or avoid) any name of the module, not only the unit's.
                consulted.add(_MODULE_NAMES)
            consulted_fps = {n: self._fingerprint(n) for n in consulted}
            cache.put(key, UnitEntry(first, findings, consulted_fps, builds_fixes))

    def _unit_key(self, unit: Unit) -> tuple[int, str, tuple[object, ...]]:
        """A unit's first line, text and context (`_context_key`), once per analysis for all
        the kinds of findings cached."""
        keys: dict[int, tuple[int, str, tuple[object, ...]]]
        keys = self.__dict__.setdefault("_unit_keys", {})
        found = keys.get(id(unit.node))
        if found is None:
            node = unit.node
            decorators = getattr(node, "decorator_list", None)
            first: int = decorators[0].lineno if decorators else getattr(node, "lineno")  # noqa: B009
            text = "\n".join(self.source.lines[first - 1 : unit.last_line])
            found = keys[id(node)] = (first, text, self._context_key(unit))
        return found

    def _fingerprint(self, name: str) -> tuple[object, ...]:
        """What the summary ``name`` (a consulted one) gives, once per analysis: a summary
        does not change once computed."""
        found: dict[str, tuple[object, ...]] = self.__dict__.setdefault("_fingerprints", {})
        if name not in found:
            found[name] = self._fingerprint_of(name)
        return found[name]

    def _fingerprint_of(self, name: str) -> tuple[object, ...]:
        if name == _MODULE_NAMES:
            return self._names_key(None)
        if name.startswith(_LOCK_CONTEXT):
            return self._class_lock_context(name[len(_LOCK_CONTEXT) :])
        if name.startswith(_WRAPPER):
            return (wrapper_summary(self.summaries, name[len(_WRAPPER) :]),)
        if name.startswith(CALLABLE):
            return (self.summaries.callables.get(name[len(CALLABLE) :]),)
        if name.startswith(CLASS_ATTRIBUTE):
            value = self.summaries.class_attributes.get(name[len(CLASS_ATTRIBUTE) :])
            return (ast.dump(value) if value is not None else None,)
        if name.startswith(CONSTRUCTOR):
            return fingerprint(self.summaries.constructors.get(name[len(CONSTRUCTOR) :]))
        cls_name, _, method = name.partition(".")
        if method:
            cls = self.summaries.classes.get(cls_name)
            return fingerprint(cls.methods.get(method) if cls is not None else None)
        return fingerprint(self.summaries.functions.get(name))

    def _context_key(self, unit: Unit) -> tuple[object, ...]:
        """Everything outside a function's text that its findings depend on, except what it
        consults (summaries, its class's lock context: checked one by one)."""
        cached = self._module_key()
        names = self._names_key(self._text_scope(unit))
        node = unit.node
        # The locks its decorators hold around it (defined elsewhere in the module).
        held = (
            tuple(decorator_locks(node, self.module_decorators))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.decorator_list
            else ()
        )
        if unit.class_name is None:
            # A nested function's free names and `self` are its enclosing function's.
            outer = (self._shadowed(unit), unit.outer_class) if unit.enclosing else None
            return (cached, names, None, self._ends_process(unit), outer, held)
        attrs = tuple(sorted(self.class_attr_types(unit.class_name).items()))
        return (cached, names, unit.class_name, attrs, held)

    def _text_scope(self, unit: Unit) -> ast.AST | None:
        """The definition whose names a unit's analysis resolves: a method's class (the
        checks of a lock held on `self` read its sibling methods), a function itself; None
        when that cannot be told (a method of a class defined twice, say). A class body's
        statements: the class itself."""
        if unit.class_name is None or isinstance(unit.node, ast.ClassDef):
            return unit.node
        edited = self.__dict__.get("_edited_class")
        if edited is not None and edited[0] is unit.node:
            return edited[1]  # type: ignore[no-any-return]
        cls = self.summaries.class_defs.get(unit.class_name)
        return cls if cls is not None and any(m is unit.node for m in cls.body) else None

    def _names_key(self, scope: ast.AST | None) -> tuple[object, ...]:
        """What the module's imports and module-level definitions make of the words in the
        text of ``scope`` (the whole module for None): an edit of an import or a rename
        changes the context of the definitions that mention the name alone."""
        cache: dict[int, tuple[object, ...]] = self.__dict__.setdefault("_names_keys", {})
        found = cache.get(id(scope))
        if found is not None:
            return found
        imports = self.resolver.imports
        defs = self.resolver.module_defs
        words: set[str] | frozenset[str] | None = None
        if scope is not None:
            decorators = getattr(scope, "decorator_list", None)
            first = decorators[0].lineno if decorators else getattr(scope, "lineno", 1)
            last = getattr(scope, "end_lineno", None) or first
            units = self.unit_cache
            starts = [first]
            if units is not None and isinstance(scope, ast.ClassDef):
                # A class's words are its members' (a name lies on one line): an edit in a
                # long class looks again for the words of the members it changed alone.
                inside = (first_line(m) for m in scope.body)
                starts = sorted({first, *(n for n in inside if first < n <= last)})
            pieces = [
                "\n".join(self.source.lines[a - 1 : b - 1])
                for a, b in zip(starts, [*starts[1:], last + 1], strict=True)
            ]
            if all(p.isascii() for p in pieces):  # else NFKC may make a name of other characters
                if units is not None:
                    words = frozenset().union(*(units.words(p, _WORDS) for p in pieces))
                else:
                    words = set(_WORDS.findall(pieces[0]))
        aliases = self.resolver.module_attrs  # `socket = execmodel.socket`, module-wide
        # The local factories (and classes) that trigger too: the text pre-filter reads them
        # in the unit's own lines alone, so renaming one re-analyses the units that name it.
        added = self._added_words
        if words is None:
            key: tuple[object, ...] = (
                tuple(sorted(imports.items())),
                tuple(sorted(defs)),
                tuple(sorted(aliases)),
                tuple(sorted(added)),
            )
        else:
            key = (
                tuple(sorted((w, imports[w]) for w in words if w in imports)),
                tuple(sorted(w for w in words if w in defs)),
                tuple(sorted(w for w in words if w in aliases)),
                tuple(sorted(w for w in added if w in words)),
            )
        cache[id(scope)] = key
        return key

    def _class_lock_context(self, class_name: str) -> tuple[object, ...]:
        """The lock hand-offs a method's findings depend on (see lock_handoff.py)."""
        cache: dict[str, tuple[object, ...]] = self.__dict__.setdefault("_lock_contexts", {})
        if class_name not in cache:
            cls = self.summaries.class_defs.get(class_name)
            cache[class_name] = (
                fact(self.parsed.facts, cls, "lock context", lock_context)  # type: ignore[arg-type]
                if cls is not None
                else ()
            )
        return cache[class_name]

    def _module_key(self) -> tuple[object, ...]:
        cached: tuple[object, ...] | None = self.__dict__.get("_module_context")
        if cached is None:
            s = self.settings
            # The module's own resource classes, whole: what releases them, and when.
            class_types = sorted(
                (name, t)
                for name, t in self.catalogue.types.items()
                if name.startswith("class:")
            )
            cached = (
                self.module_name,
                tuple(class_types),
                tuple(sorted(self.summaries.module_types.items())),
                tuple(sorted(s.external_summaries.items())),
                s.extra_resources,
                s.severities,
                s.unlikely_severities,
            )
            self.__dict__["_module_context"] = cached
        return cached

    def _unbound_sites(self, unit: Unit) -> set[tuple[int, int]]:
        """The unit's acquisitions that UL104 reports instead (the sites lie in the unit's
        own statements: a unit re-analysed does not scan the whole module for them)."""
        from unleak.findings.patterns import unbound_in_finally_sites

        return unbound_in_finally_sites(self, unit)

    def leak_findings(self, code: str) -> Iterator[Finding]:
        return (f for f in self._all_leak_findings if f.code == code)

    def _leak_finding(self, code: str, res: SiteResult, leak: Leak, unit: Unit) -> Finding:
        info = res.info
        span = self.source.span(info.node)
        scope = _scope_words(unit)
        call_at = self.call_text_at
        message = messages.leak_message(code, res, leak, call_at, scope)
        related = [Related(span, messages.acquired_note(info))]
        for line, note in messages.path_notes(res, leak, call_at, scope):
            if line != span.line:
                text = self.source.line_text(line)
                indent = len(text) - len(text.lstrip())
                related.append(Related(Span(line, indent, line, len(text.rstrip())), note))
        details = (
            ("resource", messages.resource(info)),
            ("acquired", f"line {span.line}"),
            ("path", messages.path_text(leak, call_at, info, scope)),
            ("advice", messages.advice(code, info, leak)),
            ("not", messages.negated_verb(code, res, leak)),
            ("why", messages.why(code, info)),
        )
        return self.finding(code, message, span, tuple(related), details)

    @cached_property
    def _statement_lines(self) -> list[tuple[int, int, ast.stmt]]:
        """The module's statements with their lines (from the first decorator)."""
        out: list[tuple[int, int, ast.stmt]] = []
        for stmt in self.parsed.tree.body:
            decorators = getattr(stmt, "decorator_list", None)
            first = min(stmt.lineno, decorators[0].lineno) if decorators else stmt.lineno
            out.append((first, stmt.end_lineno or stmt.lineno, stmt))
        return out

    def call_text_at(self, line: int) -> str | None:
        """The outermost call (or subscript: `db[key]`) starting on ``line``, as messages show
        it ("if `x()` on line 5 raises"); None when the line has none."""
        # Breadth first over the statements on that line (only they hold its nodes), in
        # order: a line's outermost call is met before those inside it. A walk of them all
        # together meets their nodes level by level, each level's in the statements' order:
        # the first call is the shallowest, the earlier statement's at equal depth.
        best: tuple[int, int, ast.expr] | None = None
        for i, (first, last, stmt) in enumerate(self._statement_lines):
            if first <= line <= last:
                found = self._call_on(stmt, line)
                if found is not None and (best is None or found[0] < best[0]):
                    best = (found[0], i, found[1])
        return messages.raiser_text(best[2]) if best is not None else None

    def _call_on(self, stmt: ast.stmt, line: int) -> tuple[int, ast.expr] | None:
        """The first call (or item read) starting on ``line`` that a breadth-first walk of
        ``stmt`` meets, with its depth. The walk enters only the nodes whose lines hold
        ``line`` (a call's ancestors all do): not a whole class for one of its lines."""
        cache: dict[tuple[int, int], tuple[int, ast.expr] | None]
        cache = self.__dict__.setdefault("_call_on_line", {})
        key = (id(stmt), line)
        if key in cache:
            return cache[key]
        found: tuple[int, ast.expr] | None = None
        # With whether a node's lines can be trusted to hold its children's (inside an
        # f-string, Python 3.11 and older may misplace them).
        level: list[tuple[ast.AST, bool]] = [(stmt, True)]
        depth = 0
        while level and found is None:
            below: list[tuple[ast.AST, bool]] = []
            for node, trusted in level:
                if trusted and not _holds_line(node, line):
                    continue
                if isinstance(node, ast.expr) and _may_raise(node) and node.lineno == line:
                    found = (depth, node)
                    break
                inner = trusted and not isinstance(node, ast.JoinedStr)
                below.extend((child, inner) for child in children(node))
            level = below
            depth += 1
        cache[key] = found
        return found

    def finding(
        self,
        code: str,
        message: str,
        span: Span,
        related: tuple[Related, ...] = (),
        details: tuple[tuple[str, str], ...] = (),
    ) -> Finding:
        default = self.hooks.severities.get(code, Severity.WARNING)
        severity = self.settings.severity_for(code, default)
        return Finding(code, message, span, severity, related, None, details)


class _OwnedWhenAsked:
    """`ModuleAnalysis.module_owned` as a container, computed when first asked: module-level
    code that binds no resource never asks, and finding the names walks the whole module.
    Every name is owned when they cannot be told (as `Scope.module_owned` None reads). It
    holds the tree, not the analysis: a scope holding the analysis would be a reference cycle
    (the analysis holds its scopes), kept until the cyclic garbage collector runs."""

    def __init__(self, parsed: ParsedModule, text: str) -> None:
        self._parsed: ParsedModule | None = parsed
        self._text = text
        self._names: OwnedNames | None = None

    def names(self) -> OwnedNames | None:
        if self._parsed is not None:
            parsed, self._parsed = self._parsed, None
            self._names = owned_names(parsed.tree, self._text, parsed.facts)
        return self._names

    def __contains__(self, name: object) -> bool:
        owned = self.names()
        return owned is None or name in owned


def _scope_words(unit: Unit) -> str:
    """What ends when the unit's code ends, for messages."""
    if unit.module_scope:
        return "the module"
    if isinstance(unit.node, ast.ClassDef):
        return "the class body"
    return "the function"


def attribute_types(
    body: list[ast.stmt], scope: Scope, facts: StatementFacts | None = None
) -> Iterator[tuple[str, str]]:
    """The attributes assigned a resource (`self.sock = socket.socket()`) or a path
    (`self.log = tmp_path / "x.log"`) in ``body`` and everything nested in it, with the type;
    a method's typed parameters count (`def __init__(self, path: Path)`). ``facts``: where
    each member's assignments to attributes are kept while its tree is (a class's members
    are walked again only when they changed)."""
    for n in body:
        assigned = fact(facts, n, "attribute assignments", _attribute_assignments)
        if not assigned:
            continue
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)):
            local = Scope(
                scope.resolver, scope.catalogue, scope.summaries, class_name=scope.class_name
            )
            declared_types(n, local)
            yield from _typed_assignments(assigned, local)
        else:
            yield from _typed_assignments(assigned, scope)


def _attribute_assignments(node: ast.AST) -> tuple[ast.Assign, ...]:
    """The assignments to one attribute in a statement (in a function's body, for a
    function), nested ones too, in order."""
    body = node.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) else [node]
    return tuple(
        n
        for n in iter_statements(body)  # type: ignore[arg-type]
        if isinstance(n, ast.Assign)
        and len(n.targets) == 1
        and isinstance(n.targets[0], ast.Attribute)
    )


def _typed_assignments(assigned: Iterable[ast.Assign], scope: Scope) -> Iterator[tuple[str, str]]:
    for n in assigned:
        if isinstance(n.value, ast.Call):
            t = call_type(n.value, scope)
        else:
            t = expr_type(n.value, scope)
            t = t if t == "pathlib.Path" else None
        if t is not None:
            yield expr_text(n.targets[0]), t


def assigned_types(body: list[ast.stmt], scope: Scope) -> Iterator[tuple[str, str]]:
    """The attributes assigned a resource or a path in ``body`` and everything nested in it
    (parameters' annotations aside), with the type."""
    return _assigned_types(body, scope)


def _assigned_types(body: list[ast.stmt], scope: Scope) -> Iterator[tuple[str, str]]:
    assigned = (
        n
        for n in iter_statements(body)
        if isinstance(n, ast.Assign)
        and len(n.targets) == 1
        and isinstance(n.targets[0], ast.Attribute)
    )
    return _typed_assignments(assigned, scope)


def _stores_in(nodes: Iterable[ast.AST]) -> Counter[str]:
    return Counter(n.id for n in nodes if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store))


def _statement_stores(stmt: ast.AST) -> Counter[str]:
    """The names a module-level statement binds, and how often (as `walk_body` of the module
    meets them: not in nested scopes)."""
    return _stores_in([stmt, *walk_body(stmt)])


def _caught(leaks: list[Leak]) -> list[Leak]:
    return [lk for lk in leaks if lk.kind != "raise"]


_SELF = frozenset({"self"})


def _first_param(func: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    args = [*func.args.posonlyargs, *func.args.args]
    return args[0].arg if args else None


def _escapes(leak: Leak) -> bool:
    """Whether the leaking path ends in an exception out of the function."""
    return leak.kind == "raise"


_FOREVER = frozenset({"serve_forever", "run_forever", "mainloop"})


def _script_sequences(tree: ast.Module) -> tuple[int, ...]:
    """The statement lists run straight through as a script: the module's, and the bodies of
    its `if __name__ == "__main__":` blocks."""
    out = [id(tree.body)]
    for stmt in tree.body:
        if isinstance(stmt, ast.If) and _is_main_test(stmt.test):
            out.append(id(stmt.body))
    return tuple(out)


def _is_main_test(test: ast.expr) -> bool:
    return (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
        and len(test.comparators) == 1
        and isinstance(test.comparators[0], ast.Constant)
        and test.comparators[0].value == "__main__"
    )


def _heads(stmt: ast.stmt) -> list[ast.AST]:
    """The parts of a statement evaluated by the statement itself (not its body)."""
    if isinstance(stmt, (ast.If, ast.While)):
        return [stmt.test]
    if isinstance(stmt, (ast.For, ast.AsyncFor)):
        return [stmt.iter]
    if isinstance(stmt, (ast.With, ast.AsyncWith)):
        return [item.context_expr for item in stmt.items]
    if isinstance(stmt, ast.Match):
        return [stmt.subject]
    if isinstance(stmt, (ast.Try, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return []
    if hasattr(ast, "TryStar") and isinstance(stmt, ast.TryStar):
        return []
    return [stmt]


def _calls_fail(stmt: ast.stmt) -> bool:
    call = stmt.value if isinstance(stmt, ast.Expr) else None
    return (
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Attribute)
        and call.func.attr in ("fail", "skipTest")
    )


def _falls_back(handler: ast.ExceptHandler, call: ast.Call) -> bool:
    """A handler that tries the same callee again (`except OSError: socket.socket(AF_INET6,
    ...)`): the body is a probe expected to succeed, so what it creates and drops there
    leaks. (A handler that only records the failure expects it.)"""
    callee = expr_text(call.func)
    return any(isinstance(n, ast.Call) and expr_text(n.func) == callee for n in walk(handler))


def _expects_raise(expr: ast.expr) -> bool:
    func = expr.func if isinstance(expr, ast.Call) else None
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return name in EXPECT_RAISES


def _is_package(path: str) -> bool:
    return path.replace("\\", "/").rsplit("/", 1)[-1] in ("__init__.py", "__init__.pyi")


def _nested_import_lines(text: str) -> list[int]:
    """The lines (sorted) that start with an indented `import` or `from`, or that may bind
    a module reached through an object (`socket = execmodel.socket`)."""
    lines: list[int] = [1] if _NESTED_IMPORT_FIRST.match(text) else []
    line, last = 1, 0
    for m in _NESTED_IMPORT.finditer(text):
        line += text.count("\n", last, m.start()) + 1  # the match starts at the newline
        last = m.start() + 1
        lines.append(line)
    aliases = module_alias_lines(text)
    return sorted({*lines, *aliases}) if aliases else lines


def _nested_import_lines_of(text: str) -> list[int]:
    """`_nested_import_lines` of a piece of the text, 0-based (see `Segments.lines_where`)."""
    return [line - 1 for line in _nested_import_lines(text)]


def _stdio_opens(body: list[ast.stmt], resolver: NameResolver) -> frozenset[int]:
    """Lines of `os.open(...)` calls whose result is dropped after descriptor 0 was closed
    (`os.closerange(0, maxfd)`, `os.close(0)`) and that a later `os.dup2(0, 1)` uses by its
    number: the daemon recipe's new standard input, kept for the whole process."""
    closed_at: int | None = None
    opens: list[int] = []
    out: set[int] = set()
    for stmt in iter_statements(body, nested=False):
        call = stmt.value if isinstance(stmt, ast.Expr) else None
        if not isinstance(call, ast.Call):
            continue
        qual = resolver.qualify(call.func) or ""
        first = call.args[0] if call.args else None
        zero = isinstance(first, ast.Constant) and first.value == 0
        name = qual.rpartition(".")[2]
        if zero and (qual in ("os.close", "os.closerange") or name == "closerange"):
            closed_at = stmt.lineno if closed_at is None else closed_at
        elif qual == "os.open" and closed_at is not None and stmt.lineno > closed_at:
            opens.append(stmt.lineno)
        elif qual == "os.dup2" and zero:
            out.update(line for line in opens if line < stmt.lineno)
    return frozenset(out)


def classify(res: SiteResult) -> tuple[str, Leak]:
    leaks = res.leaks
    normal = [lk for lk in leaks if not lk.on_exception and lk.kind != "rebound"]
    if res.info.lock_key is not None:
        return "UL105", (normal or leaks)[0]
    nonrel = [lk for lk in normal if lk.nonrel]
    if nonrel:
        return "UL103", nonrel[0]
    if normal:
        return "UL101", normal[0]
    rebound = [lk for lk in leaks if lk.kind == "rebound"]
    if rebound:
        return "UL107", rebound[0]
    return "UL102", leaks[0]


def name_sites(all_effects: Iterable[list[Effect]], flow: FunctionFlow) -> None:
    """Give each acquisition site the first name it is bound to (for messages)."""
    for effects in all_effects:
        for eff in effects:
            if eff[0] == "bind":
                for src in eff[2]:
                    info = flow.sites.get(src) if isinstance(src, tuple) else None
                    if info is not None and info.var is None:
                        info.var = eff[1]


def _holds_line(node: ast.AST, line: int) -> bool:
    """Whether ``line`` is one of the node's (decorators included); true of a node without
    a position (arguments, comprehensions): its children may be on the line."""
    first: int | None = getattr(node, "lineno", None)
    if first is None:
        return True
    decorators = getattr(node, "decorator_list", None)
    if decorators:
        first = min(first, decorators[0].lineno)
    last: int = getattr(node, "end_lineno", None) or first
    return first <= line <= last
