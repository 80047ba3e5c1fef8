"""Every fix checks itself before it is offered: applied, the module analysed again, it must
remove its finding, add none, and leave nothing used after its release (UL110).

Findings are compared per definition (the innermost function or class holding them, the
module for the rest), by code and message with numbers left out: a fix moves lines, it does
not rename definitions. One analysis of the fixed text checks every fix of a pass at once;
only a definition holding several fixes, one of which fails, is checked fix by fix.
"""

from __future__ import annotations

import ast
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache

from unleak.findings.incremental import UnitCache
from unleak.findings.model import Edit, Finding
from unleak.fixes.apply import apply_edits, newline_of
from unleak.pipeline import api
from unleak.settings import Settings

AFTER_RELEASE = "UL110"
_NUMBER = re.compile(r"\d+")
_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_HOLDERS = (ast.stmt, ast.excepthandler, ast.match_case)  # what may hold a statement

Scope = tuple[tuple[str, int], ...]
Key = tuple[Scope, str, str]


def check_settings(settings: Settings) -> Settings:
    """The settings the check analyses under: the user's, with UL110 always on."""
    if AFTER_RELEASE in settings.forced:
        return settings
    return replace(settings, forced=(*settings.forced, AFTER_RELEASE))


class Scopes:
    """Which definition holds a line, named by its path of (name, occurrence) pairs."""

    def __init__(self, text: str) -> None:
        self.starts: list[int] = []
        self.spans: list[tuple[int, int, Scope]] = []
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return
        self._walk(tree.body, ())
        self.spans.sort()
        self.starts = [s for s, _, _ in self.spans]

    def _walk(self, body: Sequence[ast.AST], path: Scope) -> None:
        seen: Counter[str] = Counter()
        stack: list[ast.AST] = list(reversed(body))
        while stack:
            node = stack.pop()
            if isinstance(node, _DEFS):
                inner = (*path, (node.name, seen[node.name]))
                seen[node.name] += 1
                first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                self.spans.append((first, node.end_lineno or node.lineno, inner))
                self._walk(node.body, inner)
            else:
                # Definitions are statements: expressions (most of the tree) hold none.
                stack.extend(
                    reversed([c for c in ast.iter_child_nodes(node) if isinstance(c, _HOLDERS)])
                )

    def of(self, line: int) -> Scope:
        # The innermost holder: the latest-starting span that still reaches the line.
        i = bisect_right(self.starts, line)
        while i > 0:
            i -= 1
            start, end, path = self.spans[i]
            if start <= line <= end:
                return path
        return ()


@lru_cache(maxsize=4)
def scopes_of(text: str) -> Scopes:
    # A pass's fixed text is the next pass's text: parsed once for both.
    return Scopes(text)


def key(scopes: Scopes, finding: Finding) -> Key:
    return (scopes.of(finding.span.line), finding.code, _NUMBER.sub("#", finding.message))


def keys(text: str, findings: Sequence[Finding]) -> Counter[Key]:
    scopes = scopes_of(text)
    return Counter(key(scopes, f) for f in findings)


def failing(
    before_text: str,
    before: Sequence[Finding],
    fixed: Sequence[Finding],
    after_text: str,
    after: Sequence[Finding],
) -> dict[Scope, list[Finding]]:
    """The definitions whose fixes (``fixed``, findings of ``before_text``) fail the check
    once applied together (giving ``after_text`` and its findings ``after``), with those fixes.
    A fix fails when its finding stays, or any finding appears, in its definition."""
    old_scopes = scopes_of(before_text)
    expected = Counter(key(old_scopes, f) for f in before)
    by_scope: dict[Scope, list[Finding]] = {}
    for f in fixed:
        k = key(old_scopes, f)
        expected[k] -= 1
        by_scope.setdefault(k[0], []).append(f)
    found = keys(after_text, after)
    bad: dict[Scope, list[Finding]] = {}
    for k, count in found.items():
        scope = k[0]
        if scope in by_scope and count > expected.get(k, 0):
            bad[scope] = by_scope[scope]
    return bad


def fix_holds(
    text: str, path: str, settings: Settings, finding: Finding, module_name: str = ""
) -> bool:
    """Whether ``finding``'s fix, applied alone to ``text``, passes the check (for an editor,
    which offers fixes one by one)."""
    from unleak.pipeline.fix_loop import compiles  # the loop uses this module

    fix = finding.fix
    if fix is None or not fix.edits:
        return False
    newline = newline_of(text)
    edits = [Edit(e.span, re.sub(r"\r\n|\r|\n", newline, e.new_text)) for e in fix.edits]
    try:
        fixed = apply_edits(text, edits)
    except ValueError:
        return False
    if not compiles(fixed, path) and compiles(text, path):
        return False  # (a file broken elsewhere still gets its functions' fixes)
    settings = check_settings(settings)
    units = UnitCache()
    before = api.analyse_source(text, path, settings, module_name, units).findings
    # The finding as this analysis sees it (the editor's came from its own analysis).
    # Two findings can share a span (`r, w = os.pipe()`): the message tells them apart.
    mine = [f for f in before if f.code == finding.code and f.span == finding.span]
    mine = [f for f in mine if f.message == finding.message] or mine
    if not mine:
        return False
    after = api.analyse_source(fixed, path, settings, module_name, units).findings
    return not failing(text, before, mine[:1], fixed, after)
