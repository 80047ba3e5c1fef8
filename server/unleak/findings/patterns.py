"""Rules that are patterns over one definition rather than paths: the resource bound inside
`try` and released in `finally`, dropped asyncio tasks, and caches on methods."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING

from unleak.catalogue import CACHE_DECORATORS, TASK_SPAWNERS
from unleak.findings.cache_owners import is_value_type, module_singletons
from unleak.findings.likelihood import likely_raisers
from unleak.findings.messages import call_text
from unleak.findings.model import Finding
from unleak.flow.effects import Scope
from unleak.names.resolver import iter_statements, statement_call
from unleak.names.text import expr_text
from unleak.names.triggers import TriggerIndex
from unleak.source.facts import StatementFacts, fact
from unleak.source.walk import walk
from unleak.summaries.functions import walk_body
from unleak.summaries.types import call_type

if TYPE_CHECKING:
    from unleak.findings.module import ModuleAnalysis, Unit


def unit_unbound_cases(
    module: ModuleAnalysis, unit: Unit
) -> Iterator[tuple[ast.Call, str, ast.Try, ast.stmt, list[ast.stmt]]]:
    """The unit's acquisitions inside `try` released unguarded in `finally` (the calls are in
    its own statements, not in nested definitions)."""
    if not isinstance(
        unit.node, (ast.FunctionDef, ast.AsyncFunctionDef)
    ) or not module.triggered(unit.node):
        return
    stmts = iter_statements(unit.node.body, nested=False)
    tries = [n for n in stmts if isinstance(n, ast.Try) and n.finalbody]
    if not tries:
        return
    release_names = module.catalogue.release_methods()
    scope: Scope = module.scope_for(unit)
    bound_lines: dict[str, list[int]] = {}
    for arg in walk(unit.node.args):
        if isinstance(arg, ast.arg):
            bound_lines.setdefault(arg.arg, []).append(0)
    for stmt in stmts:
        for target in _bound_targets(stmt):
            for n in walk(target):
                if isinstance(n, ast.Name):
                    bound_lines.setdefault(n.id, []).append(n.lineno)
    for t in tries:
        for stmt in t.body:
            if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1):
                continue
            target = stmt.targets[0]
            value = stmt.value.value if isinstance(stmt.value, ast.Await) else stmt.value
            if not (isinstance(target, ast.Name) and isinstance(value, ast.Call)):
                continue
            rtype = call_type(value, scope)
            if rtype is None or rtype not in module.catalogue.types:
                continue
            name = target.id
            if any(line < t.lineno for line in bound_lines.get(name, [])):
                continue
            release = _unguarded_release(t.finalbody, name, release_names)
            if release is not None:
                yield value, name, t, release, unit.node.body


def _bound_targets(stmt: ast.stmt) -> list[ast.AST]:
    if isinstance(stmt, ast.Assign):
        return list(stmt.targets)
    if isinstance(stmt, (ast.AugAssign, ast.AnnAssign, ast.For, ast.AsyncFor)):
        return [stmt.target]
    if isinstance(stmt, (ast.With, ast.AsyncWith)):
        return [i.optional_vars for i in stmt.items if i.optional_vars is not None]
    if isinstance(stmt, (ast.Import, ast.ImportFrom)):
        return [
            ast.Name((a.asname or a.name).split(".")[0], ast.Store(), lineno=stmt.lineno)
            for a in stmt.names
        ]
    return []


def _unguarded_release(
    body: list[ast.stmt], name: str, release_names: frozenset[str]
) -> ast.stmt | None:
    for stmt in body:
        expr = statement_call(stmt)
        if expr is None:
            continue
        func = expr.func
        if (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id == name
            and func.attr in release_names
        ):
            return stmt
        if (
            any(isinstance(a, ast.Name) and a.id == name for a in expr.args)
            and expr_text(func) == "os.close"
        ):
            return stmt
    return None


def unbound_in_finally_sites(module: ModuleAnalysis, unit: Unit) -> set[tuple[int, int]]:
    """Where the unit's acquisitions inside `try` are released unguarded in `finally`."""
    if not module.mentions_finally:
        return set()
    return {(case[0].lineno, case[0].col_offset) for case in unit_unbound_cases(module, unit)}


@dataclass(frozen=True)
class UnboundContext:
    """What the fix of an acquisition inside `try` (released in `finally`) needs."""

    module: ModuleAnalysis
    body: list[ast.stmt]  # the definition's body
    call: ast.Call  # the acquisition
    try_stmt: ast.Try


@dataclass(frozen=True)
class TaskContext:
    """What the fix of a dropped task needs."""

    module: ModuleAnalysis
    scope: ast.AST  # the definition spawning it
    body: list[ast.stmt]
    call: ast.Call


def unbound_in_finally(module: ModuleAnalysis, code: str) -> Iterator[Finding]:
    if not module.mentions_finally:
        return
    for unit in module.units:
        if isinstance(unit.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            # Reused from an earlier analysis while the unit and its context are unchanged.
            yield from module.unit_findings(
                unit, code, partial(_unbound_in_unit, module, unit, code)
            )


def _unbound_in_unit(module: ModuleAnalysis, unit: Unit, code: str) -> list[Finding]:
    out: list[Finding] = []
    for call, name, try_stmt, release, body in unit_unbound_cases(module, unit):
        finding = _unbound_finding(module, code, call, name, try_stmt, release, body)
        if not _unbound_likely(module, unit, call, try_stmt):
            # Only statements that almost never fail come before the name is bound.
            severity = module.settings.unlikely_severity_for(code, finding.severity)
            finding = replace(finding, severity=severity)
        out.append(finding)
    return out


def _unbound_likely(module: ModuleAnalysis, unit: Unit, call: ast.Call, try_stmt: ast.Try) -> bool:
    """Whether the acquisition, or a statement of the `try` before it, plausibly raises."""
    scope = module.scope_for(unit)

    def callee(c: ast.Call) -> str | None:
        if isinstance(c.func, ast.Name) and c.func.id in scope.var_types:
            return None
        return scope.summaries.callee_fails(c, scope.class_name)

    before: list[ast.stmt] = []
    for stmt in try_stmt.body:
        if any(n is call for n in walk(stmt)):
            before.append(stmt)
            break
        before.append(stmt)
    return bool(likely_raisers(before, module.resolver.qualify, callee))


def _unbound_finding(
    module: ModuleAnalysis,
    code: str,
    call: ast.Call,
    name: str,
    try_stmt: ast.Try,
    release: ast.stmt,
    body: list[ast.stmt],
) -> Finding:
    span = module.source.span(call)
    shown = call_text(call)
    message = (
        f"If `{shown}` raises, `{name}` is never assigned and the `finally` on line "
        f"{release.lineno} fails with UnboundLocalError; assign `{name}` before `try`"
    )
    from unleak.findings.model import Related

    note = f"`{name}` has no value here if `{shown}` raised"
    related = (Related(module.source.span(release), note),)
    finding = module.finding(code, message, span, related)
    fix = module.fix_for(code, UnboundContext(module, body, call, try_stmt))
    return replace(finding, fix=fix) if fix is not None else finding


def _outer_name(body_nodes: list[ast.AST], name: str) -> bool:
    """Whether the function declares ``name`` `nonlocal` or `global`: the enclosing scope's
    variable keeps the task after the function returns (and reads it there)."""
    return any(
        isinstance(n, (ast.Nonlocal, ast.Global)) and name in n.names for n in body_nodes
    )


def dropped_tasks(module: ModuleAnalysis, code: str) -> Iterator[Finding]:
    first_line, text = module.scan_text
    if "create_task" not in text and "ensure_future" not in text:
        return
    spawn_lines = TriggerIndex(text, ("create_task", "ensure_future"), first_line)
    for unit in module.units:
        node = unit.node
        first = getattr(node, "lineno", 1)
        if not isinstance(node, ast.Module) and not spawn_lines.any_between(
            first, getattr(node, "end_lineno", None) or first
        ):
            continue
        body_nodes = (
            walk_body(node)
            if not isinstance(node, ast.Module)
            else [
                n
                for s in node.body
                if not isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                for n in [s, *walk_body(s)]
            ]
        )
        loads: set[str] | None = None
        for stmt in body_nodes:
            call: ast.expr | None = None
            bound: str | None = None
            if isinstance(stmt, ast.Expr):
                call = stmt.value
            elif (
                isinstance(stmt, ast.Assign)
                and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name)
                and not unit.module_scope
            ):
                call, bound = stmt.value, stmt.targets[0].id
            if not isinstance(call, ast.Call) or not _spawns_task(call, module):
                continue
            if bound is not None:
                if loads is None:
                    loads = {
                        n.id
                        for n in walk(node)
                        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
                    }
                if (
                    bound in loads
                    or _kept_while_loop_runs(node, stmt, bound)
                    or _outer_name(body_nodes, bound)
                ):
                    continue
                message = (
                    f"The task started by `{call_text(call)}` is stored in `{bound}`, which is "
                    "never used: Python may delete the task before it finishes; await it or "
                    "keep it in a set"
                )
            else:
                message = (
                    f"The task started by `{call_text(call)}` is not kept: Python may delete "
                    "it before it finishes; await it or keep it in a set"
                )
            finding = module.finding(code, message, module.source.span(call))
            fix = module.fix_for(code, TaskContext(module, node, getattr(node, "body", []), call))
            yield replace(finding, fix=fix) if fix is not None else finding


_LOOP_RUNNERS = frozenset({"run_forever", "run_until_complete"})


def _kept_while_loop_runs(node: ast.AST, stmt: ast.AST, bound: str) -> bool:
    """A plain function that binds the task to a local and later runs the loop itself
    (`_ = loop.create_task(...)`, `loop.run_forever()`): its frame, and so the local, lives
    as long as the loop runs, which is as long as the task can. Not when the name is bound
    again (the task's last reference goes) nor in a coroutine (its frame ends first)."""
    if not isinstance(node, ast.FunctionDef) or not isinstance(stmt, ast.Assign):
        return False
    end = stmt.end_lineno or stmt.lineno
    runs = False
    for n in walk_body(node):
        if isinstance(n, ast.Name) and n.id == bound and n is not stmt.targets[0]:
            if not isinstance(n.ctx, ast.Load):
                return False  # bound again, or deleted
        elif (
            isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute)
            and n.func.attr in _LOOP_RUNNERS
            and n.lineno > end
            and expr_text(n.func.value).lower().endswith("loop")
        ):
            runs = True
    return runs


def _spawns_task(call: ast.Call, module: ModuleAnalysis) -> bool:
    func = call.func
    qual = module.resolver.qualify(func)
    if qual in TASK_SPAWNERS:
        return True
    if isinstance(func, ast.Attribute) and func.attr == "create_task":
        recv = func.value
        if isinstance(recv, ast.Call):
            return module.resolver.qualify(recv.func) in (
                "asyncio.get_event_loop",
                "asyncio.get_running_loop",
            )
        text = expr_text(recv).lower()
        return text.endswith("loop")
    return False


def _classes_of(stmt: ast.stmt, facts: StatementFacts | None) -> list[ast.ClassDef]:
    """`_classes`, a top-level class's from its members' (kept while their trees are)."""
    if facts is not None and isinstance(stmt, ast.ClassDef):
        per_member = facts.members(stmt, "classes", _classes)
        if per_member is not None:
            return [stmt, *(c for found in per_member for c in found)]
    return fact(facts, stmt, "classes", _classes)


def _classes(stmt: ast.AST) -> list[ast.ClassDef]:
    """The classes a statement defines, nested ones too, in the order of their text."""
    assert isinstance(stmt, ast.stmt)
    return [n for n in iter_statements([stmt]) if isinstance(n, ast.ClassDef)]


def _decorator_mentions(text: str, words: str) -> bool:
    """Whether a line of ``text`` that starts with `@` (after indentation) mentions one of
    ``words`` (a regex alternation). Searched from each `@`, which the regex engine skips
    ahead to, rather than from each line start, which it cannot."""
    for m in re.finditer(rf"@[^\r\n]*(?:{words})", text):
        start = m.start()
        line_start = text.rfind("\n", 0, start) + 1
        if not text[line_start:start].strip(" \t"):
            return True
    return False


def cached_methods(module: ModuleAnalysis, code: str) -> Iterator[Finding]:
    aliases = [local for local, qual in module.resolver.imports.items() if qual in CACHE_DECORATORS]
    words = "|".join(["cache", *map(re.escape, aliases)])
    if not _decorator_mentions(module.scan_text[1], words):
        return  # no decorator mentions a cache: no need to walk the tree
    tree = module.parsed.tree
    classes = [c for stmt in tree.body for c in _classes_of(stmt, module.parsed.facts)]
    local = {n.name: n for n in classes}
    singletons = module_singletons(tree)
    for node in classes:
        if node.name in singletons or is_value_type(node, module.resolver.qualify, local):
            continue  # nothing that matters is kept alive (see the rule's docs)
        for stmt in node.body:
            if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            names = [
                module.resolver.qualify(d.func if isinstance(d, ast.Call) else d)
                for d in stmt.decorator_list
            ]
            if "builtins.staticmethod" in names or "builtins.classmethod" in names:
                continue
            params = [*stmt.args.posonlyargs, *stmt.args.args]
            if not params or stmt.name == "__new__" or params[0].arg in ("cls", "mcs", "metacls"):
                continue
            for deco, qual in zip(stmt.decorator_list, names, strict=False):
                if qual in CACHE_DECORATORS:
                    short = qual.rsplit(".", 1)[1] if qual else "cache"
                    message = (
                        f"`@{short}` on the method `{stmt.name}` keeps "
                        f"{_cache_reach(deco, short)} `{node.name}` objects it is called on "
                        f"alive, with {_kept(module, node)}; build the cache per instance in "
                        "`__init__`"
                    )
                    yield module.finding(code, message, module.source.span(deco))


def _kept(module: ModuleAnalysis, cls: ast.ClassDef) -> str:
    """What the cache keeps alive with each instance: its memory and what it holds."""
    top_level = module.summaries.class_defs.get(cls.name) is cls
    held = module.class_attr_types(cls.name) if top_level else {}
    if not held:
        return "everything they refer to"
    types = module.catalogue.types
    things = [
        f"the {types[t].noun} in `{attr}`" if t in types else f"`{attr}`"
        for attr, t in sorted(held.items())
    ]
    return ", ".join(things)


def _cache_reach(deco: ast.expr, short: str) -> str:
    """How many instances the cache can keep: every one, or up to its maxsize."""
    if short == "cache":
        return "all"
    size: object = 128
    if isinstance(deco, ast.Call):
        args = [*deco.args, *(k.value for k in deco.keywords if k.arg == "maxsize")]
        if args and isinstance(args[0], ast.Constant):
            size = args[0].value
        elif args:
            return "many"
    return "all" if size is None else f"up to {size}"
