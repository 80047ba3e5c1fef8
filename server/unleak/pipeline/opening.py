"""A first analysis of a large document, published in steps.

Opening a module of 100,000 lines analyses 25,000 functions: tens of seconds. The module is
prepared first (parsed, names resolved, summaries built: what every function's findings
depend on), then its functions are analysed a few at a time, in file order (the function
being hovered first), each in the context of the whole module exactly as an edit in it is
(`ModuleAnalysis.part`), and the findings known so far are handed on between steps. The
functions' results go to the document's unit cache, so the full analysis that ends the
opening reuses every one of them and gives the final findings.

What is handed on only grows, and the final findings contain it: a function's findings do
not depend on the other functions' findings, only on the module prepared; the findings that
do (module-level code, class bodies, a class's methods together: UL106, UL109, syntax errors)
come with the final findings alone. ``tests/engine/test_opening.py`` holds every step to the
final findings on real modules.
"""

from __future__ import annotations

import ast
import bisect
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from unleak.findings.explain import FunctionExplanation, ModuleExplainer
from unleak.findings.model import Finding
from unleak.findings.module import ModuleAnalysis
from unleak.fixes.rewrite import Lines, lines_of
from unleak.pipeline.api import HOOKS
from unleak.pipeline.live import Region, _leading, _regions
from unleak.rules.runner import run_rules

# Codes whose findings in a function depend on the whole module's tree, not on the function
# and the module prepared: left to the final findings.
_WHOLE_MODULE = frozenset({"UL001", "UL106", "UL109"})
# How long one step analyses before it looks for cancellation and urgent work (seconds of
# wall time: a hover waits at most about that long).
STEP_SECONDS = 0.03


class Cancelled(Exception):
    """The opening was abandoned (a newer version of the document, or it was closed)."""


@dataclass
class Opening:
    """``steps`` for `LiveModule.analyse`. ``publish(findings, done, total)``: the findings
    known so far (sorted), after ``done`` of ``total`` functions; called after the first
    step, then at intervals doubling from ``first_interval`` seconds (each publication sends
    every finding known, so fewer of them cost less). ``cancelled()``: checked between
    steps (raises `Cancelled`). ``between()``: urgent work run between steps (a hover)."""

    publish: Callable[[list[Finding], int, int], None]
    cancelled: Callable[[], bool] = lambda: False
    between: Callable[[], None] = lambda: None
    first_interval: float = 1.0
    step_seconds: float = STEP_SECONDS
    # The module prepared, once it is (for urgent work: a hover's explanation).
    analysis: ModuleAnalysis | None = None
    # The functions analysed so far (their regions' first lines) and their findings.
    done: set[int] = field(default_factory=set)
    found: list[Finding] = field(default_factory=list)
    regions: list[Region] = field(default_factory=list)
    steps: int = 0
    _fix_lines: Lines | None = None

    def __call__(self, analysis: ModuleAnalysis) -> None:
        self.analysis = analysis
        self.regions = _regions(analysis.parsed.tree)
        total = len(self.regions)
        interval = self.first_interval
        published_at: float | None = None
        at = 0
        while at < total:
            if self.cancelled():
                raise Cancelled
            self.between()
            started = time.perf_counter()
            end = at
            while end < total and (end == at or time.perf_counter() - started < self.step_seconds):
                end = self._analyse(analysis, end)
            at = end
            self.steps += 1
            now = time.perf_counter()
            if published_at is None or now - published_at >= interval:
                if published_at is not None:
                    interval *= 2
                published_at = now
                self.publish(self.known(), len(self.done), total)
        if self.cancelled():
            raise Cancelled

    def known(self) -> list[Finding]:
        """The findings known so far, sorted."""
        return sorted(self.found, key=Finding.sort_key)

    def _analyse(self, analysis: ModuleAnalysis, at: int) -> int:
        """Analyse the functions from ``regions[at]`` on that share its class (up to 16):
        the index of the next one."""
        regions = self.regions
        first = regions[at]
        end = at + 1
        while (
            end < len(regions)
            and end - at < 16
            and regions[end].parent is first.parent
            and regions[end].class_name == first.class_name
        ):
            end += 1
        todo = [r for r in regions[at:end] if r.first not in self.done]
        if todo:
            self.found += _findings(analysis, todo)
            self.done.update(r.first for r in todo)
        return end

    def unit_at(self, line: int) -> Region | None:
        """The function holding ``line`` (its innermost module-level or class-level one)."""
        found = None
        for region in self.regions:
            if region.first <= line <= region.last:
                found = region
            elif region.first > line:
                break
        return found

    def hover_findings(
        self, line: int, wanted: Callable[[Finding], bool] = lambda _: True
    ) -> list[Finding]:
        """The findings of the function holding ``line`` (analysed now alone if it was
        not yet), those ``wanted`` (under the cursor) with their fixes, built as a code
        action's are; [] outside a function, or before the module is prepared. In the
        analysis thread."""
        analysis = self.analysis
        region = self.unit_at(line)
        if analysis is None or region is None:
            return []
        found = _findings(analysis, [region])
        if not any(wanted(f) for f in found):
            return found
        if self._fix_lines is None:  # the text's lines for fixes: once, not once per hover
            self._fix_lines = lines_of(analysis)
        return _findings(analysis, [region], fix_lines=self._fix_lines)

    def explain(self, line: int) -> FunctionExplanation | None:
        """The explanation of the definition holding ``line`` (what a hover over a resource
        name says), from the module-level statement holding it analysed alone: not every
        unit of the module is listed yet. None before the module is prepared. In the
        analysis thread."""
        analysis = self.analysis
        if analysis is None:
            return None
        body = analysis.parsed.tree.body
        at = bisect.bisect_right(body, line, key=_first_line) - 1
        if at < 0 or (body[at].end_lineno or body[at].lineno) < line:
            return None
        stmt = body[at]
        part = _part(analysis, [stmt], _first_line(stmt), stmt.end_lineno or stmt.lineno)
        try:
            return ModuleExplainer.of(part).explain(line)
        except (SyntaxError, ValueError, RecursionError):
            return None


def _first_line(stmt: ast.stmt) -> int:
    decorators = getattr(stmt, "decorator_list", None)
    return decorators[0].lineno if decorators else stmt.lineno


def _part(analysis: ModuleAnalysis, nodes: list[ast.stmt], first: int, last: int) -> ModuleAnalysis:
    """``nodes`` (lines ``first`` to ``last``) analysed in the context of the module."""
    tree = ast.Module(body=[*_leading(analysis), *nodes], type_ignores=[])
    part = ModuleAnalysis.part(analysis, analysis.source, tree, first, last)
    # What the module's own tree says of its functions, not the part's: which statements are
    # at its top level, which functions a process runs.
    part.__dict__["_top_level"] = analysis._top_level
    part.__dict__["process_bodies"] = analysis.process_bodies
    # Searches of the whole text, the same text: once, not once per step.
    for name in ("_mentions_pipe", "mentions_finally", "mentions_except"):
        part.__dict__[name] = getattr(analysis, name)
    return part


def _findings(
    analysis: ModuleAnalysis, regions: list[Region], fix_lines: Lines | None = None
) -> list[Finding]:
    """The findings in ``regions`` (consecutive functions, all of one class or none) as the
    full analysis of the module will give them."""
    nodes: list[ast.stmt] = [r.base_node for r in regions]
    head = regions[0]
    if head.class_name is not None:
        # The methods inside a class of their name (a copy: the class's own statements are
        # analysed with the module's, at the end).
        cls = ast.ClassDef(
            name=head.class_name,
            bases=[],
            keywords=[],
            body=nodes,
            decorator_list=[],
            lineno=nodes[0].lineno,
            col_offset=0,
            end_lineno=nodes[-1].end_lineno,
            end_col_offset=nodes[-1].end_col_offset,
        )
        nodes = [cls]
    part = _part(analysis, nodes, regions[0].first, regions[-1].last)
    if fix_lines is not None:  # with their fixes
        part.hooks = HOOKS
        part.unit_cache = None  # the cache holds findings without fixes
        part.__dict__["_fix_lines"] = fix_lines
    spans = [(r.first, r.last) for r in regions]
    return [
        f
        for f in run_rules(part, module_wide=False)
        if f.code not in _WHOLE_MODULE and any(a <= f.span.line <= b for a, b in spans)
    ]
