"""Analysis of one module: units (module body, class bodies, functions), their flows, and the
classification of leaks into rule codes."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

from unleak.engine import messages
from unleak.engine.catalogue import (
    LOCKS,
    METHOD_FACTORIES,
    TERMINATORS,
    TYPED_METHOD_FACTORIES,
    Catalogue,
)
from unleak.engine.cfg import CFGBuilder
from unleak.engine.effects import EffectBuilder, Scope, call_type, expr_text
from unleak.engine.findings import Finding, Related, Severity, Span
from unleak.engine.names import NameResolver
from unleak.engine.ownership import FunctionFlow, Leak, SiteResult
from unleak.engine.parsing import ParsedModule, parse_module
from unleak.engine.settings import Settings
from unleak.engine.source import SourceText
from unleak.engine.summaries import ModuleSummaries, walk_body

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
_TYPED_METHODS = frozenset(m for _, m in TYPED_METHOD_FACTORIES) | frozenset(METHOD_FACTORIES)
_ANNOTATION_TYPES = {
    "pathlib.Path": "pathlib.Path",
    "pathlib.PurePath": "pathlib.Path",
    "socket.socket": "socket",
    "threading.Lock": "lock",
    "threading.RLock": "lock",
    "asyncio.Lock": "lock",
}


@dataclass
class Unit:
    """A definition analysed on its own: a function, or a module or class body."""

    node: ast.AST
    body: list[ast.stmt]
    class_name: str | None
    module_scope: bool
    last_line: int


class ModuleAnalysis:
    def __init__(self, text: str, path: str, settings: Settings, module_name: str = "") -> None:
        self.path = path
        self.settings = settings
        self.source = SourceText(text)
        self.parsed: ParsedModule = parse_module(text)
        tree = self.parsed.tree
        self.resolver = NameResolver(tree, module_name)
        self.catalogue = (
            Catalogue.with_extras(settings.extra_resources) if settings.extra_resources else Catalogue()
        )
        external = {k: v for k, v in settings.external_summaries.items()}
        self.summaries = ModuleSummaries(tree, self.resolver, self.catalogue, external)  # type: ignore[arg-type]
        self._module_types()
        from unleak.engine.classes import register_resource_classes

        register_resource_classes(self)

    # -- units ----------------------------------------------------------------------------

    @cached_property
    def units(self) -> list[Unit]:
        tree = self.parsed.tree
        units: list[Unit] = []
        last = len(self.source.lines) or 1
        units.append(Unit(tree, tree.body, None, True, last))

        def visit(body: list[ast.stmt], class_name: str | None) -> None:
            for stmt in body:
                for node in _defs_in(stmt):
                    if isinstance(node, ast.ClassDef):
                        end = node.end_lineno or node.lineno
                        units.append(Unit(node, node.body, node.name, True, end))
                        visit(node.body, node.name)
                    else:
                        end = node.end_lineno or node.lineno
                        units.append(Unit(node, node.body, class_name, False, end))
                        visit(node.body, None)

        visit(tree.body, None)
        return units

    def functions(self) -> Iterator[tuple[FunctionNode, str | None]]:
        for unit in self.units:
            if isinstance(unit.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield unit.node, unit.class_name

    # -- flow analysis --------------------------------------------------------------------

    @cached_property
    def site_results(self) -> list[SiteResult]:
        out: list[SiteResult] = []
        for unit in self.units:
            if not self._has_candidates(unit):
                continue
            scope = self.scope_for(unit)
            builder = EffectBuilder(scope)
            cfg = CFGBuilder(self._is_terminator).build(unit.body, unit.last_line)
            flow = FunctionFlow(cfg, builder)
            if not flow.sites:
                continue
            _name_sites(flow)
            out.extend(flow.analyse())
        return out

    def _is_terminator(self, func: ast.expr) -> bool:
        qual = self.resolver.qualify(func)
        return qual is not None and qual in TERMINATORS

    def _has_candidates(self, unit: Unit) -> bool:
        """Cheap pre-check: does the unit contain anything that could acquire?"""
        factories = self.catalogue.factories
        nodes = walk_body(unit.node) if not isinstance(unit.node, ast.Module) else _walk_module(unit.node)
        for n in nodes:
            if not isinstance(n, ast.Call):
                continue
            func = n.func
            if isinstance(func, ast.Attribute):
                if func.attr in _TYPED_METHODS or func.attr in ("acquire", "accept"):
                    return True
            elif isinstance(func, ast.Name):
                if func.id in self.summaries.defs or func.id in self.summaries.class_defs:
                    return True
            qual = self.resolver.qualify(func)
            if qual is not None and (qual in factories or qual in self.summaries.external):
                return True
        return False

    def scope_for(self, unit: Unit) -> Scope:
        scope = Scope(
            self.resolver,
            self.catalogue,
            self.summaries,
            class_name=unit.class_name,
            module_scope=unit.module_scope,
        )
        if unit.class_name is not None:
            scope.attr_types = self.class_attr_types(unit.class_name)
        node = unit.node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for arg in [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]:
                if arg.annotation is not None:
                    qual = self.resolver.qualify(arg.annotation)
                    if qual in _ANNOTATION_TYPES:
                        scope.var_types[arg.arg] = _ANNOTATION_TYPES[qual]
        nodes = walk_body(node) if not isinstance(node, ast.Module) else _walk_module(node)
        for n in nodes:
            if isinstance(n, ast.Assign) and len(n.targets) == 1 and isinstance(n.targets[0], ast.Name):
                value = n.value.value if isinstance(n.value, ast.Await) else n.value
                if isinstance(value, ast.Call):
                    t = call_type(value, scope)
                    if t is not None:
                        scope.var_types[n.targets[0].id] = t
            elif isinstance(n, (ast.With, ast.AsyncWith)):
                for item in n.items:
                    if isinstance(item.optional_vars, ast.Name):
                        scope.with_targets.add(item.optional_vars.id)
                        if isinstance(item.context_expr, ast.Call):
                            t = call_type(item.context_expr, scope)
                            if t is not None:
                                scope.var_types[item.optional_vars.id] = t
            elif isinstance(n, (ast.Global, ast.Nonlocal)):
                scope.global_names.update(n.names)
            elif (
                isinstance(n, ast.Call)
                and isinstance(n.func, ast.Attribute)
                and n.func.attr == LOCKS.release
                and isinstance(n.func.value, (ast.Name, ast.Attribute))
                and not n.args
            ):
                scope.lock_keys.add(expr_text(n.func.value))
        return scope

    def class_attr_types(self, class_name: str) -> dict[str, str]:
        cache = self.__dict__.setdefault("_attr_types", {})
        if class_name in cache:
            return cache[class_name]  # type: ignore[no-any-return]
        types: dict[str, str] = {}
        cls = self.summaries.class_defs.get(class_name)
        if cls is not None:
            scope = Scope(self.resolver, self.catalogue, self.summaries, class_name=class_name)
            for n in ast.walk(cls):
                if (
                    isinstance(n, ast.Assign)
                    and len(n.targets) == 1
                    and isinstance(n.targets[0], ast.Attribute)
                    and isinstance(n.value, ast.Call)
                ):
                    t = call_type(n.value, scope)
                    if t is not None:
                        types[expr_text(n.targets[0])] = t
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

    @cached_property
    def classified(self) -> list[tuple[str, SiteResult, Leak]]:
        out: list[tuple[str, SiteResult, Leak]] = []
        unbound = self._unbound_sites
        for res in self.site_results:
            if not res.leaks or res.info.site[:2] in unbound:
                continue
            code, leak = classify(res)
            out.append((code, res, leak))
        return out

    @cached_property
    def _unbound_sites(self) -> set[tuple[int, int]]:
        from unleak.engine.patterns import unbound_in_finally_sites

        return unbound_in_finally_sites(self)

    def leak_findings(self, code: str) -> Iterator[Finding]:
        for c, res, leak in self.classified:
            if c == code:
                yield self._leak_finding(code, res, leak)

    def _leak_finding(self, code: str, res: SiteResult, leak: Leak) -> Finding:
        info = res.info
        span = self.source.span(info.node)
        message = messages.leak_message(code, res, leak)
        related = [Related(span, messages.acquired_note(info))]
        event_line = messages.event_line(leak)
        if event_line and event_line != span.line:
            text = self.source.line_text(event_line)
            indent = len(text) - len(text.lstrip())
            related.append(
                Related(Span(event_line, indent, event_line, len(text.rstrip())), messages.escape_note(res, leak))
            )
        details = (
            ("resource", info.type.noun),
            ("acquired", f"line {span.line} by `{info.callee}`"),
            ("path", messages.path_text(leak)),
        )
        return self.finding(code, message, span, tuple(related), details)

    def finding(
        self,
        code: str,
        message: str,
        span: Span,
        related: tuple[Related, ...] = (),
        details: tuple[tuple[str, str], ...] = (),
    ) -> Finding:
        from unleak.rules import RULES_BY_CODE

        default = RULES_BY_CODE[code].severity if code in RULES_BY_CODE else Severity.WARNING
        severity = self.settings.severity_for(code, default)
        return Finding(code, message, span, severity, related, None, details)


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


def _name_sites(flow: FunctionFlow) -> None:
    for effects in flow.effects:
        for eff in effects:
            if eff[0] == "bind":
                for src in eff[2]:
                    info = flow.sites.get(src) if isinstance(src, tuple) else None
                    if info is not None and info.var is None:
                        info.var = eff[1]


def _defs_in(stmt: ast.stmt) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef]:
    """Function and class definitions directly under a statement (through if/try/with...)."""
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        yield stmt
        return
    for child in ast.iter_child_nodes(stmt):
        if isinstance(child, ast.stmt):
            yield from _defs_in(child)
        elif isinstance(child, (ast.ExceptHandler, ast.match_case)):
            for sub in child.body:
                yield from _defs_in(sub)


def _walk_module(tree: ast.Module) -> list[ast.AST]:
    out: list[ast.AST] = []
    for stmt in tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.extend(stmt.decorator_list)
            continue
        out.extend(walk_body(stmt))
        out.append(stmt)
    return out


def analyse_module(text: str, path: str, settings: Settings) -> list[Finding]:
    from unleak.engine.suppression import apply_suppressions
    from unleak.rules import ALL_RULES

    analysis = ModuleAnalysis(text, path, settings)
    findings: list[Finding] = []
    for rule in ALL_RULES:
        if settings.enabled(rule.code):
            findings.extend(rule.check(analysis))
    findings = apply_suppressions(findings, analysis.source)
    findings.sort(key=Finding.sort_key)
    return findings
