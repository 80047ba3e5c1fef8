"""Explanations of resources that are handled: where each acquisition of one function is
released or handed on ("released by `with` at line 5", "handed to the caller on line 7").

Computed on demand (an editor's hover), for one function at a time: the function's flow is
run again with recording switched on (see ``FunctionFlow.record``), so the analysis that
produces the diagnostics pays nothing for it. Knows nothing of the language server.
"""

from __future__ import annotations

import ast
import bisect
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from unleak.findings.messages import call_text, made_by, path_text
from unleak.flow.cfg import CFGBuilder, Node
from unleak.flow.effects import Effect, EffectBuilder, Site, SiteInfo
from unleak.flow.effects import captured_names as _captured
from unleak.flow.ownership import FunctionFlow, Handled, SiteResult
from unleak.names.text import callee_name, expr_text
from unleak.settings import Settings
from unleak.source.spans import Span
from unleak.source.text import SourceText
from unleak.source.walk import children, walk

if TYPE_CHECKING:
    from unleak.findings.module import ModuleAnalysis

_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_HANDLING = frozenset(
    {"release", "method", "release_fn", "with", "escape", "pass", "transfer", "capture", "lock_rel"}
)
_MAX_CALL_TEXT = 40


@dataclass(frozen=True)
class ResourceNote:
    """One acquisition of the function and what becomes of it."""

    site: Site
    var: str | None
    noun: str
    callee: str
    line: int
    handlers: tuple[str, ...]  # "released by `f.close()` on line 9", ... in line order
    leak: str | None  # how it leaks on some path (None: handled on every path)
    names: frozenset[str]  # the local names that refer to it, and attributes that own it
    made: str = "created by"  # how it comes to be: "opened by", "started by"...

    def markdown(self, name: str | None = None) -> str:
        shown = name or self.var
        what = f"the {self.noun} {self.made} `{self.callee}` on line {self.line}"
        head = f"`{shown}`: {what}" if shown else what[:1].upper() + what[1:]
        if not self.handlers:
            return f"{head}: not released {self.leak}" if self.leak is not None else head
        handled = self.handlers[0] + "".join(
            " or " + (h.removeprefix("released ") if h.startswith("released by") else h)
            for h in self.handlers[1:]
        )
        if self.leak is not None:
            return f"{head}, {handled}; but not on every path: it leaks {self.leak}"
        # "On every path" where the reader might doubt it: an explicit release call.
        explicit = any(h.startswith("released by `") and "`with`" not in h for h in self.handlers)
        return f"{head}, {handled}" + (" on every path" if explicit else "")


@dataclass(frozen=True)
class FunctionExplanation:
    """The notes of one definition (function, class body or module body) and where in it the
    names referring to its resources occur."""

    first_line: int
    last_line: int
    notes: tuple[ResourceNote, ...]
    # Every plain name (`f`) and attribute of a name (`self._sock`) in the definition.
    occurrences: tuple[tuple[Span, str], ...]
    holes: tuple[tuple[int, int], ...] = ()  # the lines of definitions nested in this one

    def covers(self, line: int) -> bool:
        """Whether ``line`` belongs to this definition (not to one nested in it)."""
        return self.first_line <= line <= self.last_line and not any(
            first <= line <= last for first, last in self.holes
        )

    def at(self, line: int, column: int) -> tuple[ResourceNote, Span, str] | None:
        """The resource named at (1-based line, code-point column), with the name's span."""
        for span, name in self.occurrences:
            if span.line == line and span.column <= column <= span.end_column:
                note = self._note_for(name, line)
                if note is not None:
                    return note, span, name
        return None

    def _note_for(self, name: str, line: int) -> ResourceNote | None:
        # The latest acquisition bound to the name at or before this line (a name reused
        # for several resources); failing that, the first one (a use earlier in a loop).
        candidates = [n for n in self.notes if name in n.names]
        if not candidates:
            return None
        before = [n for n in candidates if n.line <= line]
        if before:
            return max(before, key=lambda n: n.site)
        return min(candidates, key=lambda n: n.site)


class ModuleExplainer:
    """One version of a module, prepared once (parsed, names resolved, summaries built) and
    then asked about one definition at a time."""

    def __init__(self, text: str, path: str, settings: Settings, module_name: str) -> None:
        from unleak.findings.module import ModuleAnalysis

        self.module = ModuleAnalysis(text, path, settings, module_name)

    @classmethod
    def of(cls, module: ModuleAnalysis) -> ModuleExplainer:
        """An explainer of a module analysed already (an editor's latest full analysis)."""
        self = cls.__new__(cls)
        self.module = module
        return self

    def explain(self, line: int) -> FunctionExplanation:
        """The explanation of the innermost definition containing 1-based ``line``."""
        module = self.module
        tree = module.parsed.tree
        node, body, first, last, owner = _innermost(tree, line, len(module.source.lines) or 1)
        occurrences = tuple(_occurrences(body, module.source))
        holes = tuple((_first_line(d), d.end_lineno or d.lineno) for d in _defs_in(body))
        attributes: tuple[ResourceNote, ...] = ()
        if owner is not None and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            attributes = tuple(self._attribute_notes(owner, node.name, occurrences))
        unit = next((u for u in module.units if u.node is node), None)
        if unit is None or not occurrences:
            return FunctionExplanation(first, last, attributes, occurrences, holes)
        scope = module.scope_for(unit)
        if not module._acquires(unit, scope):
            return FunctionExplanation(first, last, attributes, occurrences, holes)
        builder = EffectBuilder(scope)
        cfg = CFGBuilder(module._is_terminator).build(unit.body, unit.last_line)
        flow = FunctionFlow(cfg, builder, module._node_may_acquire)
        flow.record = {}
        results = flow.analyse()
        # Every node's effects, for the names bound to each resource (after the analysis,
        # so no site is discovered that the analysis did not follow).
        all_effects = [flow.effects(n.id) for n in cfg.nodes]
        from unleak.findings.module import name_sites

        name_sites(all_effects, flow)
        notes = tuple(
            _note(res, flow, body, unit.class_name, module, all_effects) for res in results
        )
        return FunctionExplanation(first, last, notes + attributes, occurrences, holes)

    def _attribute_notes(
        self, cls: ast.ClassDef, method: str, occurrences: tuple[tuple[Span, str], ...]
    ) -> list[ResourceNote]:
        """`self._sock` in a method of a class that stores a resource there elsewhere
        (`__init__`): where it is stored and which methods release it."""
        module = self.module
        types = module.class_attr_types(cls.name)  # "self._sock" -> resource type name
        out: list[ResourceNote] = []
        for text in sorted({name for _, name in occurrences if name in types}):
            rtype = module.catalogue.types.get(types[text])
            stored = _stored_in(cls, text)
            if rtype is None or stored is None or stored[0] == method:
                continue  # unknown, or stored in this very method (its flow tells more)
            where, call = stored
            attr = text.split(".", 1)[1]
            releasing = _releasing_methods(module, cls.name, attr, rtype.release)
            released = (
                "released in " + ", ".join(f"`{m}()`" for m in releasing)
                if releasing
                else "no method of the class releases it"
            )
            out.append(
                ResourceNote(
                    (call.lineno, call.col_offset, -3),
                    text,
                    rtype.noun,
                    call_text(call),
                    call.lineno,
                    (f"owned by the object (stored in `{where}()`); {released}",),
                    None,
                    frozenset({text}),
                    made_by(rtype.name),
                )
            )
        return out


def explain_at(
    text: str, path: str, settings: Settings, module_name: str, line: int
) -> FunctionExplanation | None:
    """The explanation of the innermost definition containing 1-based ``line``; None when
    the text cannot be analysed. Never raises for bad input."""
    try:
        return ModuleExplainer(text, path, settings, module_name).explain(line)
    except (SyntaxError, ValueError, RecursionError):
        return None


def _innermost(
    tree: ast.Module, line: int, module_last: int
) -> tuple[ast.AST, list[ast.stmt], int, int, ast.ClassDef | None]:
    """The innermost definition containing ``line``: its node, body, lines, and the class
    it is a method of (if it is one)."""
    node: ast.AST = tree
    parent: ast.AST = tree
    body: list[ast.stmt] = tree.body
    first, last = 1, module_last
    while True:
        # In the module, the one statement that can hold it first (found by bisection: a
        # module of 25,000 functions was scanned from the top at each first hover).
        where = _statement_at(body, line) if body is tree.body else body
        inner = next(
            (s for s in _defs_in(where) if _first_line(s) <= line <= (s.end_lineno or s.lineno)),
            None,
        )
        if inner is None:
            owner = None
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                owner = parent if isinstance(parent, ast.ClassDef) else None
            return node, body, first, last, owner
        parent, node, body = node, inner, inner.body
        first, last = _first_line(inner), inner.end_lineno or inner.lineno


def _statement_at(body: list[ast.stmt], line: int) -> list[ast.stmt]:
    """The last statement of ``body`` starting at or before ``line`` (decorators included),
    alone: compound statements do not share lines, so no other can hold a definition
    containing ``line``."""
    i = bisect.bisect_right(
        body, line, key=lambda s: _first_line(s) if isinstance(s, _DEFS) else s.lineno
    )
    return body[i - 1 : i]


def _first_line(d: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> int:
    return d.decorator_list[0].lineno if d.decorator_list else d.lineno


def _defs_in(
    body: list[ast.stmt],
) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef]:
    """Definitions directly in ``body``, including those nested in if/try/with/for blocks."""
    for stmt in body:
        if isinstance(stmt, _DEFS):
            yield stmt
            continue
        for field in ("body", "orelse", "finalbody", "handlers", "cases"):
            sub = getattr(stmt, field, None)
            if isinstance(sub, list):
                for item in sub:
                    if isinstance(item, (ast.ExceptHandler, ast.match_case)):
                        yield from _defs_in(item.body)
                yield from _defs_in([s for s in sub if isinstance(s, ast.stmt)])


def _occurrences(body: list[ast.stmt], source: SourceText) -> Iterator[tuple[Span, str]]:
    """Names and attributes of names used in ``body``, outside nested definitions and
    lambdas, in source order (an attribute before the name it starts with)."""
    stack: list[ast.AST] = list(reversed(body))
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Name):
            yield source.span(node), node.id
            continue
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            yield source.span(node), f"{node.value.id}.{node.attr}"
        if isinstance(node, (*_DEFS, ast.Lambda)):
            continue
        stack.extend(reversed(list(children(node))))


def _names(site: Site, all_effects: list[list[Effect]]) -> frozenset[str]:
    """Names bound to the site, directly or through other such names (to a fixed point)."""
    names: set[str] = set()
    for _ in range(4):
        before = len(names)
        for effects in all_effects:
            for eff in effects:
                if (
                    eff[0] == "bind"
                    and eff[1] not in names
                    and any(s == site or (isinstance(s, str) and s in names) for s in eff[2])
                ):
                    names.add(eff[1])
        if len(names) == before:
            break
    return frozenset(names)


def _note(
    res: SiteResult,
    flow: FunctionFlow,
    body: list[ast.stmt],
    class_name: str | None,
    module: ModuleAnalysis,
    all_effects: list[list[Effect]],
) -> ResourceNote:
    info = res.info
    recorded = (flow.record or {}).get(info.site, [])
    described: dict[str, int] = {}
    for handled in recorded:
        text = _describe(handled, info, flow, body, class_name, module)
        if text is not None:
            line = flow.cfg.nodes[handled[0]].line
            described.setdefault(text, line)
    handlers = tuple(sorted(described, key=lambda t: (described[t], t)))
    leak = path_text(res.leaks[0], module.call_text_at, info) if res.leaks else None
    names = set(_names(info.site, all_effects))
    for handled in recorded:
        owner = _owner(flow.cfg.nodes[handled[0]], flow)
        if owner is not None:
            names.add(owner)
    if info.lock_key is not None:
        names.add(info.lock_key)
    var = info.var or info.lock_key
    return ResourceNote(
        info.site,
        var,
        info.type.noun,
        call_text(info.node),
        info.site[0],
        handlers,
        leak,
        frozenset(names),
        "acquired by" if info.lock_key is not None else made_by(info.type.name),
    )


def _owner(node: Node, flow: FunctionFlow) -> str | None:
    """`self._sock` for `self._sock = sock`: the attribute (or global) a resource is stored
    in."""
    tree = node.ast
    if isinstance(tree, ast.Assign) and len(tree.targets) == 1:
        target = tree.targets[0]
    elif isinstance(tree, ast.AnnAssign):
        target = tree.target
    else:
        return None
    if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
        return expr_text(target)
    scope = flow.builder.scope
    if isinstance(target, ast.Name) and scope.stores_global(target.id):
        return target.id
    return None


def _describe(
    handled: Handled,
    info: SiteInfo,
    flow: FunctionFlow,
    body: list[ast.stmt],
    class_name: str | None,
    module: ModuleAnalysis,
) -> str | None:
    nid, _exceptional, aliases = handled
    node = flow.cfg.nodes[nid]
    refs: set[object] = {*aliases, info.site}
    effect = next(
        (eff for eff in flow.effects(nid) if eff[0] in _HANDLING and _matches(eff, refs, info)),
        None,
    )
    if effect is None:
        if flow.builder.scope.init_owner and any(
            eff[0] == "bind" and eff[1].startswith("self.") and any(r in refs for r in eff[2])
            for eff in flow.effects(nid)
        ):
            # Stored on `self` by `__init__`: the instance's once it returns.
            return _describe_escape(node, info, class_name, module, flow, aliases)
        return None
    tag, line = effect[0], node.line
    if tag == "with":
        end = _with_end(node, body)
        return f"released by `with` at line {end} (end of the block)"
    if tag in ("release", "method", "release_fn", "lock_rel"):
        call = _call_in(node, aliases, effect, info.node)
        shown = _call_text(call) if call is not None else "its release"
        return f"released by `{shown}` on line {line}"
    if tag == "capture":
        return f"kept by the closure defined on line {line}"
    if tag == "transfer":
        call = _call_in(node, aliases, effect, info.node)
        shown = f"`{callee_name(call)}`" if call is not None else "the wrapper"
        return f"owned by the {shown} that wraps it on line {line}"
    if tag == "pass":
        call = _call_in(node, aliases, effect, info.node)
        shown = f"`{callee_name(call)}`" if call is not None else "a call"
        return f"handed to {shown} on line {line}"
    return _describe_escape(node, info, class_name, module, flow, aliases)


def _matches(eff: Effect, refs: set[object], info: SiteInfo) -> bool:
    tag = eff[0]
    if tag == "lock_rel":
        return bool(eff[1] == info.lock_key)
    if tag == "capture":
        return bool(_captured(eff[1]) & refs)
    if tag == "method" and eff[2] not in info.type.release:
        return False
    if tag == "release_fn" and eff[2] not in info.type.release_functions:
        return False
    if tag == "release" and eff[2] is not None and eff[2] not in info.type.release:
        return False
    sources = eff[1]
    return any(s in refs for s in sources)


def _describe_escape(
    node: Node,
    info: SiteInfo,
    class_name: str | None,
    module: ModuleAnalysis,
    flow: FunctionFlow,
    aliases: frozenset[str],
) -> str:
    tree = node.ast
    line = node.line
    # Stored where it was acquired: the line adds nothing.
    on_line = "" if line == info.site[0] else f" on line {line}"
    if isinstance(tree, ast.Return):
        return f"handed to the caller on line {line} (returned)"
    if isinstance(tree, ast.Expr) and isinstance(tree.value, (ast.Yield, ast.YieldFrom)):
        return f"handed to the caller on line {line} (yielded)"
    if tree is not None:
        # Given to a call that keeps it: `stack.enter_context(open(p))`, `atexit.register(f)`.
        for call in (c for c in walk(tree) if isinstance(c, ast.Call)):
            args = [*call.args, *(k.value for k in call.keywords)]
            if any(a is info.node or (isinstance(a, ast.Name) and a.id in aliases) for a in args):
                return f"handed to `{callee_name(call)}` on line {line}"
    targets: list[ast.expr] = []
    if isinstance(tree, ast.Assign):
        targets = tree.targets
    elif isinstance(tree, ast.AnnAssign):
        targets = [tree.target]
    for target in targets:
        if isinstance(target, ast.Attribute):
            owner = expr_text(target)
            where = ""
            if (
                class_name is not None
                and isinstance(target.value, ast.Name)
                and target.value.id == "self"
            ):
                methods = _releasing_methods(module, class_name, target.attr, info.type.release)
                if methods:
                    where = " (released in " + ", ".join(f"`{m}()`" for m in methods) + ")"
            return f"owned by `{owner}`{on_line}{where}"
        if isinstance(target, ast.Subscript):
            return f"stored in `{expr_text(target.value)}` on line {line}"
        scope = flow.builder.scope
        if isinstance(target, ast.Name) and scope.stores_global(target.id):
            return f"stored in the global `{target.id}`{on_line}"
    if tree is not None and any(
        isinstance(n, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp))
        for n in walk(tree)
    ):
        return f"collected by the comprehension on line {line}"
    return f"handed on at line {line}"


def _stored_in(cls: ast.ClassDef, text: str) -> tuple[str, ast.Call] | None:
    """The method (and call) that first stores a call's result in ``self.x``."""
    for method in cls.body:
        if not isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for sub in walk(method):
            if (
                isinstance(sub, ast.Assign)
                and len(sub.targets) == 1
                and isinstance(sub.targets[0], ast.Attribute)
                and expr_text(sub.targets[0]) == text
                and isinstance(sub.value, ast.Call)
            ):
                return method.name, sub.value
    return None


def _releasing_methods(
    module: ModuleAnalysis, class_name: str, attr: str, release: frozenset[str]
) -> list[str]:
    """Methods of the class that release ``self.<attr>`` (a `close()` calling its close())."""
    cls = module.summaries.class_defs.get(class_name)
    if cls is None:
        return []
    out: list[str] = []
    for method in cls.body:
        if not isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for sub in walk(method):
            target: ast.expr | None = None
            if (
                isinstance(sub, ast.Call)
                and isinstance(sub.func, ast.Attribute)
                and sub.func.attr in release
            ):
                target = sub.func.value
            elif isinstance(sub, ast.withitem):
                target = sub.context_expr
            if (
                isinstance(target, ast.Attribute)
                and target.attr == attr
                and isinstance(target.value, ast.Name)
                and target.value.id == "self"
            ):
                out.append(method.name)
                break
    return out


def _with_end(node: Node, body: list[ast.stmt]) -> int:
    item = node.ast
    for stmt in _walk_statements(body):
        if isinstance(stmt, (ast.With, ast.AsyncWith)) and any(i is item for i in stmt.items):
            return stmt.end_lineno or stmt.lineno
    return node.line


def _walk_statements(body: list[ast.stmt]) -> Iterator[ast.AST]:
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, (*_DEFS, ast.Lambda)):
            continue
        yield node
        stack.extend(children(node))


def _call_in(
    node: Node, aliases: frozenset[str], effect: Effect, acquired: ast.Call
) -> ast.Call | None:
    """The call of the statement that the effect comes from: the one whose receiver or
    arguments name the resource (or the statement's only call)."""
    tree = node.ast
    if tree is None:
        return None
    if isinstance(tree, ast.withitem):
        tree = tree.context_expr
    calls = [c for c in walk(tree) if isinstance(c, ast.Call)]
    method = effect[2] if effect[0] in ("method", "release") else None
    for call in calls:
        func = call.func
        if method is not None and isinstance(func, ast.Attribute) and func.attr == method:
            return call
        if effect[0] == "lock_rel" and isinstance(func, ast.Attribute) and func.attr == "release":
            return call
        args = [*call.args, *(k.value for k in call.keywords)]
        if any(a is acquired or (isinstance(a, ast.Name) and a.id in aliases) for a in args):
            return call
        if isinstance(func, ast.Attribute) and _root_name(func.value) in aliases:
            return call
    return calls[0] if len(calls) == 1 else None


def _root_name(expr: ast.expr) -> str | None:
    while isinstance(expr, ast.Attribute):
        expr = expr.value
    return expr.id if isinstance(expr, ast.Name) else None


def _call_text(call: ast.Call) -> str:
    try:
        text = ast.unparse(call)
    except Exception:  # unparse is total on parsed trees; a name is enough if not
        text = ""
    if text and len(text) <= _MAX_CALL_TEXT and "\n" not in text:
        return text
    return callee_name(call)
