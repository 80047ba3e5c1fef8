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
import threading
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from unleak.findings.incremental import UnitCache
from unleak.findings.model import Edit, Finding
from unleak.fixes.apply import apply_edits, newline_of
from unleak.pipeline import api
from unleak.pipeline.fix_parse import Reparser
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


# The fields that may hold statements, handlers or match cases (in the order of `_fields`,
# the order `children` gives them in), per node class.
_BLOCK_FIELDS = frozenset({"body", "orelse", "finalbody", "handlers", "cases"})
_BLOCKS: dict[type, tuple[str, ...]] = {}


def _blocks(kind: type) -> tuple[str, ...]:
    found = _BLOCKS.get(kind)
    if found is None:
        fields: tuple[str, ...] = getattr(kind, "_fields", ())
        found = _BLOCKS[kind] = tuple(f for f in fields if f in _BLOCK_FIELDS)
    return found


class Scopes:
    """Which definition holds a line, named by its path of (name, occurrence) pairs."""

    def __init__(self, text: str, tree: ast.Module | None = None) -> None:
        """``tree``: the text's, if it was parsed already."""
        self.starts: list[int] = []
        self.spans: list[tuple[int, int, Scope]] = []
        if tree is None:
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
                # Definitions are statements, held in blocks: expressions (most of the tree)
                # are not looked at.
                held: list[ast.AST] = []
                for name in _blocks(type(node)):
                    held.extend(c for c in getattr(node, name, ()) if isinstance(c, _HOLDERS))
                stack.extend(reversed(held))

    def of(self, line: int) -> Scope:
        # The innermost holder: the latest-starting span that still reaches the line.
        i = bisect_right(self.starts, line)
        while i > 0:
            i -= 1
            start, end, path = self.spans[i]
            if start <= line <= end:
                return path
        return ()


# A pass's fixed text is the next pass's text: its definitions are found once for both.
_RECENT: dict[str, Scopes] = {}
_RECENT_LOCK = threading.Lock()  # the editor checks fixes in worker threads


def scopes_of(text: str, tree: ast.Module | None = None) -> Scopes:
    """The definitions of ``text`` (``tree``: its tree, if it was parsed already)."""
    with _RECENT_LOCK:
        found = _RECENT.get(text)
    if found is None:
        found = Scopes(text, tree)
        with _RECENT_LOCK:
            if len(_RECENT) >= 4:
                _RECENT.pop(next(iter(_RECENT)))
            _RECENT[text] = found
    return found


def key(scopes: Scopes, finding: Finding) -> Key:
    return (scopes.of(finding.span.line), finding.code, _NUMBER.sub("#", finding.message))


def keys(text: str, report: api.ModuleReport) -> Counter[Key]:
    scopes = scopes_of(text, report.tree)
    return Counter(key(scopes, f) for f in report.findings)


def failing(
    before_text: str,
    before: api.ModuleReport,
    fixed: Sequence[Finding],
    after_text: str,
    after: api.ModuleReport,
    before_scopes: Scopes | None = None,
) -> dict[Scope, list[Finding]]:
    """The definitions whose fixes (``fixed``, findings of ``before_text``) fail the check
    once applied together (giving ``after_text`` and its report ``after``), with those fixes.
    A fix fails when its finding stays, or any finding appears, in its definition.
    ``before_scopes``: the definitions of ``before_text``, when found already."""
    old_scopes = before_scopes or scopes_of(before_text, before.tree)
    expected = Counter(key(old_scopes, f) for f in before.findings)
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
    from unleak.pipeline.fix_pass import compiles  # which uses this module

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
    parser = Reparser()  # the fixed text reuses the trees of the chunks the fix left alone
    # Findings are compared, not their fixes: neither analysis builds any.
    before = api.analyse_source(
        text,
        path,
        settings,
        module_name,
        units,
        keep_tree=True,
        fixes=False,
        parsed=parser.parse(text),
    )
    # The finding as this analysis sees it (the editor's came from its own analysis).
    # Two findings can share a span (`r, w = os.pipe()`): the message tells them apart.
    mine = [f for f in before.findings if f.code == finding.code and f.span == finding.span]
    mine = [f for f in mine if f.message == finding.message] or mine
    if not mine:
        return False
    # The definitions of the text, found before its tree's statements move to the fixed
    # text's lines.
    scopes = scopes_of(text, before.tree)
    after = api.analyse_source(
        fixed,
        path,
        settings,
        module_name,
        units,
        keep_tree=True,
        fixes=False,
        parsed=parser.parse(fixed),
    )
    return not failing(text, before, mine[:1], fixed, after, scopes)
