"""A resource stored on an object inside `try`, dropped by the handler when a later statement
of the `try` fails:

    try:
        self._sock = socket.socket(AF_UNIX, SOCK_STREAM)
        self._sock.connect(path)
    except OSError:
        self._sock = None  # the socket is still open

The flow analysis hands a resource stored on `self` to the object; here the object itself
forgets it at once, so the release falls to nobody.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING

from unleak.catalogue.failures import Callee
from unleak.findings.likelihood import likely_raisers
from unleak.findings.messages import call_text, imperative, resource, verb
from unleak.findings.model import Finding, Related
from unleak.flow.effects import Scope, SiteInfo
from unleak.names.resolver import iter_statements
from unleak.names.text import expr_text
from unleak.source.walk import walk
from unleak.summaries.types import call_type

if TYPE_CHECKING:
    from unleak.findings.module import ModuleAnalysis, Unit


def dropped_by_handler(module: ModuleAnalysis, code: str) -> Iterator[Finding]:
    if not module.mentions_except:
        return
    for unit in module.units:
        if isinstance(unit.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            # Reused from an earlier analysis while the unit and its context are unchanged.
            yield from module.unit_findings(
                unit, f"{code} handlers", partial(_dropped_in_unit, module, unit, code)
            )


def _dropped_in_unit(module: ModuleAnalysis, unit: Unit, code: str) -> list[Finding]:
    return list(_unit_dropped(module, unit, code))


def _unit_dropped(module: ModuleAnalysis, unit: Unit, code: str) -> Iterator[Finding]:
    node = unit.node
    assert isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    if module.triggered(node):
        release_names = module.catalogue.release_methods()
        scope = None
        for stmt in iter_statements(node.body, nested=False):
            if not isinstance(stmt, ast.Try) or not stmt.handlers:
                continue
            for index, part in enumerate(stmt.body[:-1]):
                stored = _stored_call(part)
                if stored is None:
                    continue
                target, call = stored
                if scope is None:
                    scope = module.scope_for(unit)
                rtype = module.catalogue.types.get(call_type(call, scope) or "")
                if rtype is None or rtype.name in _EMPTY_AT_CREATION:
                    continue
                text = expr_text(target)
                later = stmt.body[index + 1 :]
                raising = [s for s in later if any(isinstance(n, ast.Call) for n in walk(s))]
                if not raising:
                    continue
                if _mentions(stmt.finalbody, text) or _released(later, text, release_names):
                    continue
                likely = likely_raisers(later, module.resolver.qualify, _callee(scope))
                for handler in stmt.handlers:
                    reset = _reset(handler.body, text, release_names)
                    if reset is None:
                        continue
                    info = SiteInfo((call.lineno, call.col_offset, -1), rtype, call, var=text)
                    # Name a statement that plausibly fails, if any does.
                    failing = (likely or raising)[-1]
                    shown = _statement_text(failing)
                    message = (
                        f"{_cap(resource(info))} is not {verb(info)} if {shown} on line "
                        f"{failing.lineno} raises: the handler on line {reset.lineno} "
                        f"drops it (`{_statement_text(reset, quoted=False)}`); "
                        f"{imperative(info)} it first"
                    )
                    related = (Related(module.source.span(reset), f"`{text}` is dropped here"),)
                    finding = module.finding(code, message, module.source.span(call), related)
                    if not likely:  # dropped only if a statement that almost never fails raises
                        severity = module.settings.unlikely_severity_for(code, finding.severity)
                        finding = replace(finding, severity=severity)
                    yield finding
                    break


def _callee(scope: Scope) -> Callee:
    """What a call of a function of the module (or a method on `self`) can raise."""

    def fails(call: ast.Call) -> str | None:
        if isinstance(call.func, ast.Name) and call.func.id in scope.var_types:
            return None  # a local of that name, not the module's function
        return scope.summaries.callee_fails(call, scope.class_name)

    return fails


# Nothing is held yet when they are created (a lock, an empty ExitStack).
_EMPTY_AT_CREATION = frozenset({"lock", "exit_stack"})


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _stored_call(stmt: ast.stmt) -> tuple[ast.Attribute, ast.Call] | None:
    """`obj.attr = factory(...)`: the attribute and the call."""
    if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1):
        return None
    target, value = stmt.targets[0], stmt.value
    if isinstance(value, ast.Await):
        value = value.value
    if (
        isinstance(target, ast.Attribute)
        and isinstance(target.value, ast.Name)
        and isinstance(value, ast.Call)
    ):
        return target, value
    return None


def _reset(body: list[ast.stmt], text: str, release_names: frozenset[str]) -> ast.stmt | None:
    """The handler's statement that rebinds the attribute, if nothing before it releases
    or hands it on."""
    for stmt in body:
        if (
            isinstance(stmt, ast.Assign)
            and any(expr_text(t) == text for t in stmt.targets)
            and not _mentions([ast.Expr(stmt.value)], text)
        ):
            return stmt
        if _mentions([stmt], text):
            return None  # released, handed on or tested first
    return None


def _released(body: list[ast.stmt], text: str, release_names: frozenset[str]) -> bool:
    """Whether the statements release the attribute themselves (`self.s.close()` in the
    `try` after the acquisition: no longer open when a later statement fails)."""
    for stmt in body:
        for n in walk(stmt):
            if (
                isinstance(n, ast.Call)
                and isinstance(n.func, ast.Attribute)
                and n.func.attr in release_names
                and expr_text(n.func.value) == text
            ):
                return True
    return False


def _mentions(body: list[ast.stmt], text: str) -> bool:
    return any(
        isinstance(n, ast.Attribute) and expr_text(n) == text for stmt in body for n in walk(stmt)
    )


def _statement_text(stmt: ast.stmt, quoted: bool = True) -> str:
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        shown = call_text(stmt.value)
    else:
        shown = " ".join(ast.unparse(stmt).split())
        if len(shown) > 60:
            return "a later statement" if quoted else shown[:57] + "..."
    return f"`{shown}`" if quoted else shown
