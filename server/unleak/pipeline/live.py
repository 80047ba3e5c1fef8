"""Analysis of successive versions of one document, as an editor sends them.

An edit inside the body of one function (a module-level function or a method of a
module-level class) re-parses and re-analyses that function alone, in the context (names,
summaries, resource types and classes) of the last full analysis, as long as the edit does not
change what the function contributes to that context: its summary as callers see it, imports,
and the resources its class stores on ``self``. Every other finding is kept, moved by the
number of lines the edit added or removed. Anything else (an edit between definitions, in a
signature, in a class body, a syntax error) falls back to a full analysis, which still reuses
the per-function results of `UnitCache`. An edit that changes what a function does to its
parameters is still re-analysed alone when no other code names the function (`Unseen`), and
so is a module-level function renamed when no other code names its old name or its new one.

The findings are always what a fresh `analyse_source` of the same text gives (the report has
no summary for the project index: the language server's index makes it); the randomized
equivalence tests in ``tests/engine/test_live.py`` hold it to that.
"""

from __future__ import annotations

import ast
import bisect
import builtins
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from unleak.findings.decorator_locks import held_attributes
from unleak.findings.incremental import UnitCache, moved
from unleak.findings.lock_handoff import lock_receivers, method_lock_reads
from unleak.findings.model import Finding
from unleak.findings.module import ModuleAnalysis, assigned_types, attribute_types
from unleak.findings.process_lifetime import candidates, end_facts
from unleak.findings.shipped_source import ship_facts
from unleak.fixes.registry import BUILDERS
from unleak.fixes.rewrite import Lines, lines_of
from unleak.flow.effects import Scope
from unleak.flow.module_names import scope_globals
from unleak.names.resolver import MODULE_ALIAS_LINE, iter_statements, module_alias_names
from unleak.names.triggers import TriggerIndex
from unleak.pipeline.api import HOOKS, NO_FIXES, ModuleReport, analyse_source, report_of
from unleak.pipeline.callers import (
    Changed,
    lines_naming,
    patched_summaries,
    reached,
    with_member,
)
from unleak.pipeline.stored import Stores, same_stores, stored_findings, stores
from unleak.rules import ALL_RULES, RULES_BY_CODE
from unleak.rules.runner import run_rules, run_rules_on_error
from unleak.settings import Settings
from unleak.source.chunk_parse import ChunkParser
from unleak.source.class_parse import first_line
from unleak.source.parsing import ParsedModule, ParseError, syntax_error
from unleak.source.spans import Span
from unleak.source.text import SourceText, changed_lines, source_lines, whole_word
from unleak.source.walk import walk
from unleak.summaries.callable_attrs import class_callables
from unleak.summaries.chosen_classes import class_level_names, self_attrs_stored
from unleak.summaries.classes import (
    ClassResources,
    related_classes,
    releases_on_raise,
    scan_acquisitions,
    scan_handling,
)
from unleak.summaries.constructors import (
    constructor_reads,
    init_reads,
    receivers,
    stored_parameters,
)

_FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
# What a definition of the full analysis contributed: (region, what, how to compute it).
Before = Callable[["Region", str, Callable[[_FunctionNode], object]], object]


@dataclass
class Region:
    """A function whose body can be re-analysed alone: lines ``first`` (its first decorator)
    to ``last``, its body starting on ``body_first``."""

    first: int
    body_first: int
    last: int
    indent: int
    name: str
    class_name: str | None
    # The definition as the full analysis saw it: callers' findings rest on its summary.
    base_node: _FunctionNode
    parent: ast.ClassDef | None
    # Directly in the module or class body (not in an `if` block): it has a summary.
    direct: bool
    # For a method of a class nested in a module-level class: that class (whose attribute
    # types include what the nested class's methods assign).
    outer: ast.ClassDef | None = None

    @property
    def key(self) -> str:
        return f"{self.class_name}.{self.name}" if self.class_name else self.name


@dataclass
class Statement:
    """A simple statement (an assignment, an expression, ...) at module level or directly in
    a module-level class: lines ``first`` to ``last``, as the full analysis saw it."""

    first: int
    last: int
    indent: int
    base_node: ast.stmt
    parent: ast.ClassDef | None


SYNTAX_ERROR = "UL001"
# What `_same_contribution` says when the edited function's summary alone changed.
SUMMARY_CHANGED = "summary changed"
_CACHE_RULE = "UL109"
# The codes whose findings may have a fix.
FIXABLE = frozenset(BUILDERS)
_Key = tuple[str, Span, str]


def _key(finding: Finding) -> _Key:
    """A finding as another analysis of the same text gives it, but for its fix."""
    return (finding.code, finding.span, finding.message)


class LiveModule:
    """The analysis state of one open document."""

    def __init__(
        self, path: str, module_name: str = "", max_units: int = 8192, fixes: bool = True
    ) -> None:
        """``fixes=False``: the findings come without their fixes (`with_fixes` builds them
        when asked): an analysis then costs less, and a finding no longer depends on every
        name of the module (a fix may use or avoid any of them)."""
        self.path = path
        self.hooks = HOOKS if fixes else NO_FIXES
        self.module_name = module_name
        self.units = UnitCache(max_units)
        # The trees of the top-level chunks: a full analysis after an edit reparses only the
        # chunks it changed.
        self._parser = ChunkParser()
        self._base: object | None = None  # the last full ModuleAnalysis
        self._settings: Settings | None = None
        self._lines: list[str] = []
        self._source = SourceText("")
        self._report: ModuleReport | None = None
        self._regions: list[Region] = []
        self._statements: list[Statement] = []
        # Lines between functions (first, last) that did not parse after the last edit.
        self._broken_gap: tuple[int, int] | None = None
        # What the full analysis's definitions contribute, computed when first needed.
        self._facts: dict[tuple[int, str], object] = {}
        # How the last analyses went (for tests and logs).
        self.full_runs = 0
        self.partial_runs = 0
        # Why the last edit was analysed in full ("" when it was not).
        self.fallback = ""
        # The text of the last full analysis, while it is the document's latest version.
        self._full_text: str | None = None
        # The text of the last analysis (full or partial).
        self._text: str | None = None
        # The lines of the fixes built on demand for it (`with_fixes`).
        self._fix_lines: Lines | None = None
        # Functions named nowhere else whose summary changed since the full analysis.
        self._stale: set[str] = set()
        # Class attributes bound or no longer bound since the full analysis (`_unread`).
        self._class_names: set[str] = set()
        # A function whose summary changed since the full analysis, with its callers
        # analysed again (`_with_callers`).
        self._changed: Changed | None = None
        # The line edits made in functions since the full analysis, in order: (start, end,
        # delta): the lines after line ``end`` moved by ``delta``, those after ``start`` up to
        # ``end`` edited (0-based start, exclusive). None once anything else was edited (a
        # comment, a statement between definitions): see `_class_as_edited`.
        self._shifts: list[tuple[int, int, int]] | None = []

    def analyse(
        self,
        text: str,
        settings: Settings,
        module_name: str | None = None,
        lines: list[str] | None = None,
        steps: Callable[[ModuleAnalysis], None] | None = None,
    ) -> ModuleReport:
        """``lines``: `source_lines(text)`, when the caller has it already. ``steps``: when
        this analysis is a full one of a text that parses, called with the module prepared
        (parsed, names and summaries) before its rules run: a first analysis of a large
        document is published in steps that way (`pipeline/opening.py`); it may raise to
        abandon the analysis (what it analysed stays in the unit cache)."""
        if module_name is not None and module_name != self.module_name:
            self.module_name = module_name
            self._base = None
        if lines is None:
            lines = source_lines(text)
        # Only an edit of the same lines that stay broken may keep it.
        broken_gap, self._broken_gap = self._broken_gap, None
        if (
            self._base is not None
            and self._report is not None
            and self._settings is not None
            and settings == self._settings
            and settings.external_summaries == self._settings.external_summaries
        ):
            self.fallback = ""
            self._text = None  # until this analysis succeeds
            report = self._partial(text, lines, broken_gap)
            if report is not None:
                self.partial_runs += 1
                if text != self._full_text:
                    self._full_text = None  # the full analysis is of an earlier version
                self._text = text
                return report
        else:
            self.fallback = "no earlier analysis" if self._base is None else "settings changed"
        self._text = None
        report = self._full(text, lines, settings, steps)
        self._text = text
        return report

    def _give_up(self, why: str) -> ModuleReport | None:
        """Record why the edit needs a full analysis."""
        self.fallback = why
        return None

    def prepared(self, text: str) -> ModuleAnalysis | None:
        """The full analysis of ``text`` when it is the last analysis made (a hover is then
        explained from it, without parsing the module again); None otherwise. Only from the
        thread that analyses: the next analysis reuses its trees, moved."""
        if self._base is None or self._full_text is None or self._full_text != text:
            return None
        assert isinstance(self._base, ModuleAnalysis)
        return self._base

    def with_fixes(self, text: str, findings: list[Finding]) -> list[Finding]:
        """``findings`` (of the analysis of ``text``) with their fixes, as an analysis that
        builds them gives them. A finding in a function is given the fix of that function
        analysed again alone, in the context of the last full analysis (as an edit in it
        is); any other, or when ``text`` is not the last text analysed, that of a fresh
        analysis of the whole text. Only from the thread that analyses."""
        if self.hooks.fix is not None:
            return findings
        wanted = [f for f in findings if f.code in FIXABLE and f.fix is None]
        if not wanted:
            return findings
        fixed: dict[_Key, Finding] = {}
        left = wanted
        if text == self._text and isinstance(self._base, ModuleAnalysis):
            left = []
            by_region: dict[int, list[Finding]] = {}
            changed = self._changed
            # (Those analysed with another function's new summary: from a fresh analysis.)
            redone = changed.dependents | {changed.index} if changed is not None else frozenset()
            for f in wanted:
                found = self._region_of(f.span.line - 1, f.span.line)
                if found is None or found[0] in redone:
                    left.append(f)
                else:
                    by_region.setdefault(found[0], []).append(f)
            for index, here in by_region.items():
                fresh = self._region_fixed(text, self._regions[index])
                for f in here:
                    if (match := fresh.get(_key(f))) is not None:
                        fixed[_key(f)] = match
                    else:
                        left.append(f)
        if left and self._settings is not None:
            report = analyse_source(
                text, self.path, self._settings, self.module_name, with_summary=False
            )
            keys = {_key(f) for f in left}
            fixed.update((k, f) for f in report.findings if (k := _key(f)) in keys)
        return [fixed.get(_key(f), f) if f.fix is None else f for f in findings]

    def _region_fixed(self, text: str, region: Region) -> dict[_Key, Finding]:
        """The findings, with fixes, of one function of the last text analysed."""
        base = self._base
        assert isinstance(base, ModuleAnalysis)
        region_text = "".join(self._lines[region.first - 1 : region.last])
        node = _parse_region(region_text, region)
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return {}
        tree = ast.Module(body=[*_leading(base), _in_class(region, node)], type_ignores=[])
        part = ModuleAnalysis.part(base, self._source, tree, region.first, region.last)
        # Its own hooks, and no cache: the cache holds findings without fixes.
        part.hooks = HOOKS
        part.unit_cache = None
        # The text's lines for the fixes (its indentation step reads every line): once per
        # text, not once per finding asked for.
        if self._fix_lines is None or self._fix_lines.source is not self._source:
            self._fix_lines = lines_of(part)
        part.__dict__["_fix_lines"] = self._fix_lines
        return {_key(f): f for f in run_rules(part, module_wide=False)}

    def reset(self) -> None:
        """Forget everything (after an internal error, say)."""
        self.units = UnitCache(self.units.max_entries)
        self._parser = ChunkParser()
        self._base = None
        self._full_text = None
        self._text = None
        self._report = None
        self._changed = None

    # Full analysis.

    def _full(
        self,
        text: str,
        lines: list[str],
        settings: Settings,
        steps: Callable[[ModuleAnalysis], None] | None = None,
    ) -> ModuleReport:

        # What the last analysis found, for the definitions that stop parsing (below).
        previous = self._report if settings == self._settings else None
        previous_lines = self._lines
        self._base = None  # in case analysis raises
        self._full_text = None
        self._stale = set()
        self._class_names = set()
        self._changed = None
        self._shifts = []
        tree = self._parser.parse(text, lines)
        if tree is not None:
            # Room for every definition of the document, for each kind of findings cached
            # (the leaks', UL110's, UL104's), and an edited version of each, twice over: the
            # cache drops its oldest entries first, so one too few makes a full analysis
            # drop, definition after definition, each result the next one needs (every
            # definition analysed again).
            room = 12 * sum(len(s.body) if isinstance(s, ast.ClassDef) else 1 for s in tree.body)
            self.units.max_entries = max(self.units.max_entries, room)
        analysis = ModuleAnalysis(
            text,
            self.path,
            settings,
            self.module_name,
            self.units,
            lines,
            self.hooks,
            (
                ParsedModule(tree, facts=self._parser.facts, segments=self._parser.segments)
                if tree is not None
                else None
            ),
        )
        if steps is not None and not analysis.parsed.errors:
            steps(analysis)
        report = report_of(analysis, with_summary=False)  # the index summarises it itself
        self.full_runs += 1
        self._settings = settings
        self._lines = lines
        if analysis.parsed.errors:
            if previous is not None:
                report = _keep_unparsed(report, previous, previous_lines, lines, analysis)
            self._report = report
            return report  # the parse recovered what it could: re-parse it all next time
        self._report = report
        self._base = analysis
        self._full_text = text
        self._source = analysis.source
        self._regions = _regions(analysis.parsed.tree)
        self._statements = _statements(analysis.parsed.tree)
        self._facts = {}
        if steps is not None:
            # The names an edit's `_process_facts` reads: the first edit would find them
            # (walking every statement: 0.3 to 0.5 s of CPU at 100,000 lines, which the
            # first keystroke after a large module's opening waited for), its opening does.
            self._process_candidates()
        return report

    # Partial analysis.

    def _partial(
        self, text: str, lines: list[str], broken_gap: tuple[int, int] | None
    ) -> ModuleReport | None:

        base = self._base
        assert isinstance(base, ModuleAnalysis) and self._report is not None
        old = self._lines
        start, old_end, new_end = changed_lines(old, lines)
        delta = new_end - old_end
        if start == old_end == new_end:  # the same text again
            self._broken_gap = broken_gap
            self.partial_runs -= 1  # nothing was analysed
            return self._report
        if _inert(old, start, old_end) and _inert(lines, start, new_end):
            return self._relocate(text, lines, start, old_end, new_end)
        # Functions whose full-analysis summary is out of date that the edit names: only
        # their own definition may (checked once it is parsed).
        stale = self._stale_named("".join(lines[start:new_end]))
        found = self._region_of(start, old_end)
        if stale and found is None:
            return self._give_up("names a function whose summary changed")
        if found is None:
            statement = self._statement_of(start, old_end) if broken_gap is None else None
            if statement is not None:
                report = self._edit_statement(text, lines, start, old_end, new_end, statement)
                if report is not None:
                    return report
                why = self.fallback
                report = self._typing_between(text, lines, start, old_end, new_end, broken_gap)
                if report is None:
                    self.fallback = f"{self.fallback}: {why}"  # why the statement's edit
                return report
            return self._typing_between(text, lines, start, old_end, new_end, broken_gap)
        index, region = found
        last = region.last + delta
        if last < region.first:
            return self._give_up("function deleted")
        region_text = "".join(lines[region.first - 1 : last])
        if self._class_names and _names(self._class_names, region_text):
            return self._give_up("names a class attribute bound since the full analysis")
        changed_before = self._changed
        if (
            changed_before is not None
            and index != changed_before.index
            and (index in changed_before.dependents or _names(changed_before.names, region_text))
        ):
            # Its analysis alone would read the summaries of the last full analysis.
            return self._give_up("names a function whose summary changed")
        parsed: _FunctionNode | ParseError
        alone = _parse_region(region_text, region)
        renamed = alone is None
        if alone is None:
            other = self._renamed(text, index, region, region_text)
            if isinstance(other, str):
                return self._give_up(other)
            parsed = other
        else:
            parsed = alone
        if stale and not (
            isinstance(parsed, (ast.FunctionDef, ast.AsyncFunctionDef))
            and stale == {parsed.name}
            and text.isascii()
            and _once(parsed.name, text)
        ):
            return self._give_up("names a function whose summary changed")
        source = self._source.edited(text, start, old_end, lines[start:new_end])
        in_body = old_end >= region.body_first
        if (
            isinstance(parsed, ParseError)
            and in_body
            and _dedents(lines[start:new_end], region.indent)
        ):
            # A line typed at the function's indentation ends it there: CPython reads the
            # error in the context of the lines that follow.
            return self._give_up("syntax error after a dedent")
        callers: list[tuple[int, int, list[Finding]]] = []
        if isinstance(parsed, ParseError):
            # Every definition keeps its findings while this one is being typed, this one
            # too (moved with the edit), so that its warnings do not blink off.
            error = parsed
            fresh = run_rules_on_error(base, source, error)
            fresh += [
                moved(f, old_end, delta)
                for f in self._report.findings
                if region.first <= f.span.line <= region.last and f.code != SYNTAX_ERROR
            ]
            end = last
        else:
            node = parsed
            unseen = Unseen(region.name, text)
            found_stores: dict[str, Stores] = {}
            if _as_analysed(base, region.base_node, node, source):
                # Back to the full analysis's text (a character typed, then deleted): it gives
                # the module what it gave then.
                changed = ""
                own = self._before(region, "stores", lambda _: self._kept_stores(region))
                if isinstance(own, Stores):
                    end = node.end_lineno or node.lineno
                    own_lines = source.lines[node.lineno - 1 : end]
                    assert region.parent is not None
                    now = stores(base, region.parent, node, own_lines, handling=False)
                    if now is not None:
                        found_stores["stores"] = now
            else:
                imports_now = (
                    _imports(node)
                    if "import" in region_text or MODULE_ALIAS_LINE.search(region_text)
                    else []
                )
                if self._before(region, "imports", _imports) != imports_now:
                    # imports anywhere in the module name things module-wide
                    return self._give_up("imports changed")
                if not _same_header(region.base_node, node):
                    return self._give_up("decorators changed")
                process = self._process_facts(region.base_node, node, region_text, region)
                if process:
                    return self._give_up(process)
                changed = (
                    ""  # the full analysis's definition under another name no code uses
                    if renamed
                    else _same_contribution(
                        base, region, node, self._before, unseen, region_text, found_stores
                    )
                )
            again = changed_before is not None and changed_before.index == index
            if changed and changed != SUMMARY_CHANGED:
                return self._give_up(f"contribution changed: {changed}")
            if changed or again:
                found_callers = self._with_callers(text, lines, source, index, region, node)
                if isinstance(found_callers, str):
                    return self._give_up(f"contribution changed: {changed}: {found_callers}")
                fresh, callers = found_callers
            else:
                if unseen.used:
                    # Base's summary of it is out of date: an edit that names it goes in full.
                    self._stale.add(region.name)
                # The module's leading docstring and imports: where a fix adds an import.
                tree = ast.Module(body=[*_leading(base), _in_class(region, node)], type_ignores=[])
                part = ModuleAnalysis.part(base, source, tree, region.first, last)
                if self._shifts is not None:
                    shifts = [*self._shifts, (start, old_end, delta)]
                    scope = _class_as_edited(base, self._regions, region, node, shifts)
                    if scope is not None:
                        part.edited_member(node, scope)
                fresh = run_rules(part, module_wide=False)
            now = found_stores.get("stores")
            if now is not None and region.parent is not None:
                # Its class's UL106 findings that sit in it (a module-wide rule).
                empty = ast.Module(body=[], type_ignores=[])
                part = ModuleAnalysis.part(base, source, empty, region.first, last)
                fresh = [*fresh, *stored_findings(part, base, region.parent, node, now)]
            end = node.end_lineno or last
        findings = _spliced(self._report.findings, region.first, region.last, delta, fresh)
        for first, last_line, redone in callers:
            findings = _spliced(findings, first, last_line, 0, redone)
        self._report = replace(self._report, findings=findings)
        self._lines = lines
        self._source = source
        if self._shifts is not None and delta:
            self._shifts.append((start, old_end, delta))
        if isinstance(parsed, ParseError):
            self._regions[index] = replace(region, last=end)
        else:
            first = parsed.decorator_list[0].lineno if parsed.decorator_list else parsed.lineno
            self._regions[index] = replace(
                region, first=first, body_first=parsed.body[0].lineno, last=end, name=parsed.name
            )
        if delta:
            for i in range(index + 1, len(self._regions)):
                r = self._regions[i]
                self._regions[i] = replace(
                    r, first=r.first + delta, body_first=r.body_first + delta, last=r.last + delta
                )
            self._move_statements(region.last, delta)
        return self._report

    def _stale_named(self, edited: str) -> set[str]:
        """The functions in `_stale` that the edited lines name."""
        if not self._stale:
            return set()
        if not edited.isascii():
            return set(self._stale)
        return {n for n in self._stale if n in edited and whole_word(n).search(edited)}

    def _renamed(
        self, text: str, index: int, region: Region, region_text: str
    ) -> _FunctionNode | str:
        """The edited module-level function when the edit renamed it and changed nothing
        else (it is the full analysis's definition under another name), and no other code
        names its old name or its new one: no code can call it, so its analysis alone is the
        edit's (renaming one of 25,000 functions went to a full analysis). Later edits that
        name either go in full unless they are of its own `def` (`_stale`). A reason for a
        full analysis otherwise."""
        why = "not one function of the same name"
        if region.parent is not None or not region.direct or not text.isascii():
            return why
        if self.hooks.fix is not None:
            return why  # a fix may use or avoid any name of the module
        changed = self._changed
        if changed is not None and changed.index == index:
            return why  # its summary changed with its callers: analysed with them
        node = _parse_region(region_text, region, any_name=True)
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return why
        old, new = region.base_node.name, node.name
        if _dunder(new) or _dunder(region.name) or _dunder(old):
            return why  # called by the language (a module's `__getattr__`)
        node.name = old
        same = ast.dump(node) == self._before(region, "dump", ast.dump)
        node.name = new
        if not same:
            return why
        if not _once(new, text) or any(_occurs(n, text) for n in {old, region.name} - {new}):
            return "renamed function named elsewhere"
        self._stale |= {old, region.name, new}
        return node

    def _kept_stores(self, region: Region) -> Stores | None:
        """What the class scan read of a method of the full analysis that stores a resource
        on `self` (whose UL106 findings sit in it); None for any other."""
        base = self._base
        assert isinstance(base, ModuleAnalysis)
        parent, old = region.parent, region.base_node
        if parent is None or not region.direct or region.outer is not None:
            return None
        if base.summaries.class_defs.get(parent.name) is not parent:
            return None
        if _class_contribution(base, parent, old) is not None:
            return None
        end = old.end_lineno or old.lineno
        return stores(base, parent, old, base.source.lines[old.lineno - 1 : end])

    def _with_callers(
        self,
        text: str,
        lines: list[str],
        source: SourceText,
        index: int,
        region: Region,
        node: _FunctionNode,
    ) -> tuple[list[Finding], list[tuple[int, int, list[Finding]]]] | str:
        """An edit that changes what the edited function gives its callers and nothing else
        (or an edit of the function whose summary an earlier such edit changed): the
        analysis of it, and the findings of the definitions that name a function whose
        summary changed with it (lines in the edited text), each analysed again alone with
        the summaries of the edited text (`callers.reached`; the definitions an earlier
        such edit analysed again are analysed again too, as they may go back to the full
        analysis's findings). A reason for a full analysis when the edit reaches further, or
        when a summary computed meanwhile is of a recursive function (what it gives then
        depends on the order the summaries are asked for: a fresh analysis may differ)."""
        base = self._base
        assert isinstance(base, ModuleAnalysis) and self._report is not None
        if self._changed is not None and self._changed.index != index:
            # One function at a time differs from the full analysis's summaries.
            return "another function's summary changed"
        delta = len(lines) - len(self._lines)
        regions = self._regions
        firsts = [r.first + (delta if i > index else 0) for i, r in enumerate(regions)]
        lasts = [r.last + (delta if i >= index else 0) for i, r in enumerate(regions)]
        summaries = patched_summaries(base, region.parent, region.base_node, node)
        # The full analysis's summaries afresh, in the same order as the edited ones.
        earlier_summaries = patched_summaries(
            base, region.parent, region.base_node, region.base_node
        )

        def inert(line: int) -> bool:
            return self._inert_line(lines, line, region.last, delta)

        found = reached(
            base.summaries,
            earlier_summaries,
            summaries,
            text,
            regions,  # type: ignore[arg-type]
            firsts,
            lasts,
            index,
            inert,
        )
        if isinstance(found, str):
            return found
        earlier = self._changed.dependents if self._changed is not None else frozenset()
        redo = sorted((found.dependents | earlier) - {index})
        for i in redo:
            # Their findings are spliced out and analysed again: none may come from a rule
            # that reads the whole module.
            lo = bisect.bisect_left(self._report.findings, regions[i].first, key=_line)
            hi = bisect.bisect_right(self._report.findings, regions[i].last, key=_line)
            if any(f.code in _MODULE_WIDE for f in self._report.findings[lo:hi]):
                return "a caller has a module-wide finding"
        leading = _leading(base)
        unit_keys: dict[int, tuple[int, str, tuple[object, ...]]] = base.__dict__.get(
            "_unit_keys", {}
        )
        callers: list[tuple[int, int, list[Finding]]] = []
        for i in redo:
            r = regions[i]
            first, last = firsts[i], lasts[i]
            parsed = _parse_region("".join(lines[first - 1 : last]), replace(r, first=first))
            if not isinstance(parsed, (ast.FunctionDef, ast.AsyncFunctionDef)):
                return "a caller does not parse alone"
            tree = ast.Module(body=[*leading, _in_class(r, parsed)], type_ignores=[])
            part = ModuleAnalysis.part(base, source, tree, first, last)
            part.summaries = summaries
            key = unit_keys.get(id(r.base_node))
            text_now = "\n".join(source.lines[first - 1 : last])
            if key is not None and key[1] == text_now and _same_class(base, source, r, first):
                # The same text as in the full analysis, and the same context but for the
                # summaries it consulted (checked one by one): its cached findings serve
                # when those did not change.
                part.__dict__["_unit_keys"] = {id(parsed): (first, text_now, key[2])}
            callers.append((first, last, run_rules(part, module_wide=False)))
        tree = ast.Module(body=[*leading, _in_class(region, node)], type_ignores=[])
        part = ModuleAnalysis.part(base, source, tree, region.first, lasts[index])
        part.summaries = summaries
        fresh = run_rules(part, module_wide=False)
        if summaries.tracker.cycles or earlier_summaries.tracker.cycles:
            return "recursive summaries"
        self._changed = found if found.names else None
        return fresh, callers

    def _inert_line(self, lines: list[str], line: int, after: int, delta: int) -> bool:
        """Whether ``line`` of the edited text (``lines``: the lines after line ``after`` of the
        last text moved by ``delta``) is a comment, or lies in a docstring or `__all__` of the
        module or of a module-level class (strings: no code is called there)."""
        text = lines[line - 1].strip() if line <= len(lines) else ""
        if text.startswith("#"):
            return True
        old = line - delta if line - delta > after else line
        index = self._statement_of(old - 1, old)
        if index is None:
            return False
        st = self._statements[index]
        first, last = st.first, st.last
        if first > after:
            first, last = first + delta, last + delta
        parsed = _parse_alone("".join(lines[first - 1 : last]), first, st.indent > 0)
        if not isinstance(parsed, tuple) or len(parsed[0]) != 1:
            return False
        node = parsed[0][0]
        if isinstance(node, ast.Expr):
            return isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
        return (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id == "__all__"
            and isinstance(node.value, (ast.List, ast.Tuple))
            and all(
                isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.value.elts
            )
        )

    def _typing_between(
        self,
        text: str,
        lines: list[str],
        start: int,
        old_end: int,
        new_end: int,
        broken_gap: tuple[int, int] | None,
    ) -> ModuleReport | None:
        """An edit between functions that leaves the statements there not parsing (a new
        definition being typed, say): its syntax error, and every finding is kept (moved with
        the edit). None when the statements parse (they may change anything: analyse it all)."""

        base = self._base
        assert isinstance(base, ModuleAnalysis) and self._report is not None
        regions = self._regions
        before = [r for r in regions if r.first <= start + 1]
        after = [r for r in regions if r.first > start + 1]
        if (before and before[-1].last >= start + 1) or (after and after[0].first <= old_end):
            # the change overlaps a function's header or several functions
            return self._give_up("edit outside function bodies")
        first = before[-1].last + 1 if before else 1
        last = after[0].first - 1 if after else len(self._lines)
        delta = new_end - old_end
        old_gap = _parse_statements("".join(self._lines[first - 1 : last]), first)
        new_gap = _parse_statements("".join(lines[first - 1 : last + delta]), first)
        if (old_gap is not None and broken_gap != (first, last)) or not isinstance(
            new_gap, ParseError
        ):
            return self._give_up("statements between functions")
        if not first <= new_gap.span.line <= last + delta:
            return self._give_up("syntax error outside the gap")
        if after:
            # A decorator typed above the next definition parses with it (`@property`).
            nxt = after[0]
            joined = "".join(lines[first - 1 : nxt.last + delta])
            if not isinstance(_parse_statements(joined, first), ParseError):
                return self._give_up("statements between functions")
        source = self._source.edited(text, start, old_end, lines[start:new_end])
        # The statements there keep their findings too (module-level code's, moved with the
        # edit), so that a script's warnings do not blink off while a line is unfinished;
        # only the gap's old syntax error goes.
        kept = [
            moved(f, old_end, delta)
            for f in self._report.findings
            if not (first <= f.span.line <= last and f.code == SYNTAX_ERROR)
        ]
        fresh = run_rules_on_error(base, source, new_gap)
        self._shifts = None
        self._report = replace(self._report, findings=sorted([*kept, *fresh], key=Finding.sort_key))
        self._lines = lines
        self._source = source
        self._broken_gap = (first, last + delta)
        if delta:
            for i, r in enumerate(regions):
                if r.first > last:
                    regions[i] = replace(
                        r,
                        first=r.first + delta,
                        body_first=r.body_first + delta,
                        last=r.last + delta,
                    )
            self._move_statements(last, delta)
        return self._report

    def _relocate(
        self, text: str, lines: list[str], start: int, old_end: int, new_end: int
    ) -> ModuleReport:
        """Blank or comment lines changed: findings and definitions only move."""
        assert self._report is not None
        delta = new_end - old_end
        self._source = self._source.edited(text, start, old_end, lines[start:new_end])
        self._shifts = None
        self._lines = lines
        if delta:
            self._report = replace(
                self._report, findings=[moved(f, start, delta) for f in self._report.findings]
            )
            for i, r in enumerate(self._regions):
                if r.last > start:
                    self._regions[i] = replace(
                        r,
                        first=r.first + delta if r.first > start else r.first,
                        body_first=r.body_first + delta if r.body_first > start else r.body_first,
                        last=r.last + delta,
                    )
            self._move_statements(start, delta)
        return self._report

    def _move_statements(self, after: int, delta: int) -> None:
        """Statements below line ``after`` moved by ``delta`` lines."""
        for i, st in enumerate(self._statements):
            if st.first > after:
                self._statements[i] = replace(st, first=st.first + delta, last=st.last + delta)

    def _statement_of(self, start: int, old_end: int) -> int | None:
        """The index of the simple statement that holds the changed lines (0-based ``start``
        to ``old_end``, exclusive)."""
        statements = self._statements
        lo, hi = 0, len(statements)
        while lo < hi:
            mid = (lo + hi) // 2
            if statements[mid].first <= start + 1:
                lo = mid + 1
            else:
                hi = mid
        if lo == 0 or old_end > statements[lo - 1].last:
            return None
        return lo - 1

    def _edit_statement(
        self, text: str, lines: list[str], start: int, old_end: int, new_end: int, index: int
    ) -> ModuleReport | None:
        """An edit inside one simple statement at module or class level that acquires
        nothing, before or after, and changes no name other code can depend on: every finding
        is kept and moved; its syntax error while it does not parse."""
        base = self._base
        assert isinstance(base, ModuleAnalysis) and self._report is not None
        st = self._statements[index]
        delta = new_end - old_end
        last = st.last + delta
        if last < st.first:
            return self._give_up("statement deleted")
        new_text = "".join(lines[st.first - 1 : last])
        if "import" in new_text or not self._quiet(st, base) or _triggers(new_text, base):
            return self._give_up("statement that may acquire")
        if self._changed is not None and _names(self._changed.names, new_text):
            return self._give_up("names a function whose summary changed")
        parsed = _parse_alone(new_text, st.first, st.indent > 0)
        if parsed is None:
            return self._give_up("statement runs on")
        if isinstance(parsed, ParseError):
            return self._give_up("statement does not parse")  # typed between definitions
        body, _ = parsed
        if len(body) != 1 or not _is_simple(body[0]) or body[0].col_offset != st.indent:
            return self._give_up("not one simple statement")
        if not self._same_names(st, body[0], base, text, lines):
            return self._give_up("names changed")
        process = self._process_facts(st.base_node, body[0], new_text, None)
        if process:
            return self._give_up(process)
        source = self._source.edited(text, start, old_end, lines[start:new_end])
        kept = [moved(f, st.last, delta) for f in self._report.findings]
        self._shifts = None
        self._report = replace(self._report, findings=kept)
        self._lines = lines
        self._source = source
        self._statements[index] = replace(st, last=last)
        if delta:
            for i, r in enumerate(self._regions):
                if r.first > st.last:
                    self._regions[i] = replace(
                        r,
                        first=r.first + delta,
                        body_first=r.body_first + delta,
                        last=r.last + delta,
                    )
            self._move_statements(st.last, delta)
        return self._report

    def _process_facts(
        self, old: ast.stmt, new: ast.stmt, new_text: str, region: Region | None
    ) -> str:
        """What the module's functions that end with the process, or whose source it ships
        to another process, no longer are with ``old`` (a definition or statement of the
        full analysis; ``region``: the definition's) edited to ``new`` (its text
        ``new_text``); "" when they are the same. They are module-wide facts that each
        function's analysis reads (`_ends_process`)."""
        base = self._base
        assert isinstance(base, ModuleAnalysis)

        def before(what: str, compute: Callable[[_FunctionNode], object]) -> object:
            if region is None:
                return compute(old)  # type: ignore[arg-type]
            return self._before(region, what, compute)

        # A source read needs the word where it is read, or in the import of an alias.
        mentions = self._module_fact(
            "mentions getsource", lambda _: "getsource" in base.source.text
        )
        if mentions or "getsource" in new_text:
            qualify = base.resolver.qualify
            called, read = ship_facts(new, qualify)
            was = before("ships", lambda n: ship_facts(n, qualify))
            assert isinstance(was, tuple)
            if was[1] != read or (was[0] ^ called) & base.source_reads[0]:
                return "functions shipped to another process changed"
        names = self._process_candidates()
        ending = (
            region is not None
            and region.parent is None
            and region.direct
            and region.name in base.process_bodies
        )
        ends = before("ends", lambda n: end_facts(n, names, ending))
        if ends != end_facts(new, names, ending):
            return "functions that end with the process changed"
        return ""

    def _process_candidates(self) -> frozenset[str]:
        """`candidates` of the full analysis's module (once per full analysis)."""
        base = self._base
        assert isinstance(base, ModuleAnalysis)
        names = self._module_fact(
            "process candidates", lambda _: candidates(base.parsed.tree, base.parsed.facts)
        )
        assert isinstance(names, frozenset)
        return names

    def _module_fact(self, what: str, compute: Callable[[object], object]) -> object:
        """``compute(None)``, a fact of the full analysis's module, once per full analysis."""
        key = (0, what)
        if key not in self._facts:
            self._facts[key] = compute(None)
        return self._facts[key]

    def _quiet(self, st: Statement, base: ModuleAnalysis) -> bool:
        """Whether the statement, as the full analysis saw it, acquires nothing and sits in a
        body (module or class) whose own statements (other than imports, which acquire
        nothing) mention nothing that acquires, and no method of the module is cached (that
        rule reads module-level statements)."""
        node = st.base_node
        if base.triggered(node):
            return False

        def container(_: object) -> object:
            cache_rule = RULES_BY_CODE[_CACHE_RULE]
            if base.settings.enabled(
                _CACHE_RULE, on_by_default=cache_rule.on_by_default
            ) and re.search(r"^[ \t]*@[^\r\n]*cache", base.scan_text[1], re.M):
                return True  # UL109 (off by default) reads module-level statements
            body = st.parent.body if st.parent is not None else base.parsed.tree.body
            return any(
                base.triggered(s)
                for s in body
                if not isinstance(s, (*_DEFINITIONS, ast.Import, ast.ImportFrom))
            )

        key = (id(st.parent), "busy")
        if key not in self._facts:
            self._facts[key] = container(None)
        return not self._facts[key]

    def _same_names(
        self, st: Statement, node: ast.stmt, base: ModuleAnalysis, text: str, lines: list[str]
    ) -> bool:
        """Whether the statement binds the same names as before, or names no other code can
        tell apart (not builtins, imports, definitions or anything the catalogue knows); in a
        class, names no code reads (see `_unread`)."""
        before, after = _bound(st.base_node), _bound(node)
        if st.parent is not None:
            if before == after and not _names_a_value(st.base_node) and not _names_a_value(node):
                return True  # constants: no method calls them (`name = "plain"`)
            # A class attribute may be a method's alias, or what `self.<name>(...)` calls
            # (`conn_class = Connection`), whether the edit changed its name or its value.
            return self._unread(before | after, text, lines, st)
        if before == after:
            return True
        changed = before ^ after

        if changed & _BUILTINS or changed & base.resolver.imports.keys():
            return False
        summaries = base.summaries
        if any(n in summaries.defs or n in summaries.class_defs for n in changed):
            return False
        prefix = f"{base.module_name}." if base.module_name else ""
        known = base.catalogue.factories
        external = base.settings.external_summaries
        return not any(prefix + n in known or prefix + n in external for n in changed)

    def _unread(self, names: set[str], text: str, lines: list[str], st: Statement) -> bool:
        """Whether no code can read the class attributes ``names`` (bound or no longer bound
        by the edited class-level statement ``st``, lines in the last text): the edited text
        names them nowhere but there, or in other classes' statements binding a constant to
        them (`__slots__ = ()`). Later edits of a method that names one go in full (the full
        analysis's class-level names do not have them)."""
        if not text.isascii():
            return False
        delta = len(lines) - len(self._lines)
        for name in names:
            if name.startswith("__") and name.endswith("__") and name != "__slots__":
                return False  # read by the language (`__exit__ = close`)
            for line in lines_naming(text, name):
                if st.first <= line <= st.last + delta:
                    continue
                old = line - delta if line > st.last + delta else line
                index = self._statement_of(old - 1, old)
                other = self._statements[index] if index is not None else None
                if other is None or other.parent is None:
                    return False
                first, last = other.first, other.last
                if first > st.last:
                    first, last = first + delta, last + delta
                parsed = _parse_alone("".join(lines[first - 1 : last]), first, True)
                if not isinstance(parsed, tuple) or not _binds_constant(parsed[0], name):
                    return False
        self._class_names |= names
        return True

    def _before(
        self, region: Region, what: str, compute: Callable[[_FunctionNode], object]
    ) -> object:
        """``compute(region.base_node)``, computed once per full analysis."""
        key = (id(region.base_node), what)
        if key not in self._facts:
            self._facts[key] = compute(region.base_node)
        return self._facts[key]

    def _region_of(self, start: int, old_end: int) -> tuple[int, Region] | None:
        """The region that holds the changed lines (0-based ``start`` to ``old_end``,
        exclusive; an insertion when they are equal)."""
        regions = self._regions
        lo, hi = 0, len(regions)
        while lo < hi:  # the last region starting on or before the change
            mid = (lo + hi) // 2
            if regions[mid].first <= start + 1:
                lo = mid + 1
            else:
                hi = mid
        if lo == 0:
            return None
        region = regions[lo - 1]
        # Changed lines (1-based) start + 1..old_end must lie in first..last (its decorators,
        # signature or body); lines inserted after line `start` must follow its first line.
        if old_end > region.last or (start == old_end and start < region.first):
            return None
        return lo - 1, region


def _same_class(base: ModuleAnalysis, source: SourceText, region: Region, first: int) -> bool:
    """Whether a method's class (its whole text: a method's context reads the words of its
    siblings) is the same in ``source`` as in the full analysis, the method now starting on
    line ``first``; True for a function."""
    cls = region.parent
    if cls is None:
        return True
    shift = first - region.base_node.lineno
    if region.base_node.decorator_list:
        shift = first - region.base_node.decorator_list[0].lineno
    top = min([cls.lineno, *(d.lineno for d in cls.decorator_list)])
    end = cls.end_lineno or cls.lineno
    if top + shift < 1:
        return False
    return base.source.lines[top - 1 : end] == source.lines[top - 1 + shift : end + shift]


def _as_analysed(
    base: ModuleAnalysis, old: _FunctionNode, node: _FunctionNode, source: SourceText
) -> bool:
    """Whether the edited function (``node``, lines of ``source``) has the text the full
    analysis's (``old``) had."""
    a, b = first_line(old), old.end_lineno or old.lineno
    c, d = first_line(node), node.end_lineno or node.lineno
    return b - a == d - c and base.source.lines[a - 1 : b] == source.lines[c - 1 : d]


def _class_as_edited(
    base: ModuleAnalysis,
    regions: list[Region],
    region: Region,
    node: _FunctionNode,
    shifts: list[tuple[int, int, int]],
) -> ast.ClassDef | None:
    """For a method directly in its module-level class (whose words its findings' context
    reads), that class as it lies in the edited text, ``node`` in the place of the method:
    what `ModuleAnalysis._names_key` reads of it (its first and last lines; its members, each
    a `pass` on its first line, only split its text: a name lies on one line). ``shifts``:
    the edits since the full analysis (see `LiveModule._shifts`), this one last. None for a
    function, or a method whose analysis reads the module's words (as the full analysis's
    did), or when an edit touched the class's first or last line."""
    cls, old = region.parent, region.base_node
    if cls is None or base.summaries.class_defs.get(cls.name) is not cls:
        return None
    if not any(m is old for m in cls.body):
        return None

    def now(line: int, last: bool = False) -> int | None:
        for start, end, delta in shifts:
            if line > end:
                line += delta
            elif line > start or (last and line == start):
                return None  # an edited line (or, for its last line, lines added after it)
        return line

    first = now(first_line(cls))
    last_member = cls.body[-1]
    if last_member is old:
        last: int | None = node.end_lineno or node.lineno
    else:
        # The last member's end as the edits left it: the lines typed after its last line
        # belong to it. (`regions` are as the last edit left them: this one moves them too.)
        held = [r.last for r in regions if r.base_node is last_member]
        _, end, delta = shifts[-1]
        if held:
            last = held[0] + (delta if held[0] > end else 0)
        else:
            last = now(cls.end_lineno or cls.lineno, last=True)
    if first is None or last is None:
        return None
    body: list[ast.stmt] = []
    for m in cls.body:
        at = first_line(node) if m is old else now(first_line(m))
        if at is not None:
            body.append(ast.Pass(lineno=at, col_offset=0))
    return ast.ClassDef(
        name=cls.name,
        bases=[],
        keywords=[],
        body=body,
        decorator_list=[],
        lineno=first,
        col_offset=cls.col_offset,
        end_lineno=last,
        end_col_offset=0,
    )


def _spliced(
    old: list[Finding], first: int, last: int, delta: int, fresh: list[Finding]
) -> list[Finding]:
    """``old`` (sorted) without its findings on lines ``first``..``last``, those after them
    moved by ``delta`` lines, and ``fresh`` in their place: what sorting them all gives, in
    time for the edited lines (the findings around them are sliced out, not each tested and
    sorted again: 25,000 of them in a large module, at every keystroke)."""

    def line(f: Finding) -> int:
        return f.span.line

    lo = bisect.bisect_left(old, first, key=line)
    hi = bisect.bisect_right(old, last, lo=lo, key=line)
    before, after = old[:lo], old[hi:]
    if delta:  # (a finding before the lines may point past them: its related lines, say)
        before = [moved(f, last, delta) for f in before]
        after = [moved(f, last, delta) for f in after]
    fresh = sorted(fresh, key=Finding.sort_key)
    # Ties go to the kept findings first, as sorting them all would.
    if fresh and (
        (before and before[-1].sort_key() > fresh[0].sort_key())
        or (after and after[0].sort_key() <= fresh[-1].sort_key())
    ):
        return sorted([*before, *after, *fresh], key=Finding.sort_key)
    return [*before, *fresh, *after]


def _keep_unparsed(
    report: ModuleReport,
    previous: ModuleReport,
    old: list[str],
    new: list[str],
    analysis: ModuleAnalysis,
) -> ModuleReport:
    """A full analysis of a text that does not parse everywhere, with the last findings of
    the code that no longer parses (lines in no statement the parse recovered) kept, moved
    with the edit, so that they do not blink off while a line is unfinished. Findings on the
    edited lines themselves go."""
    covered: list[tuple[int, int]] = []
    for st in analysis.parsed.tree.body:
        decorators = getattr(st, "decorator_list", None) or [st]
        covered.append((min(d.lineno for d in decorators), st.end_lineno or st.lineno))
    start, old_end, new_end = changed_lines(old, new)
    delta = new_end - old_end

    def unparsed(line: int) -> bool:
        return not any(first <= line <= last for first, last in covered)

    kept = [
        moved(f, old_end, delta)
        for f in previous.findings
        if f.code != SYNTAX_ERROR
        and not start < f.span.line <= old_end
        and unparsed(f.span.line + (delta if f.span.line > old_end else 0))
    ]
    if not kept:
        return report
    return replace(report, findings=sorted([*report.findings, *kept], key=Finding.sort_key))


def _names(names: set[str] | frozenset[str], text: str) -> bool:
    """Whether ``text`` has one of ``names`` as a word (or may: it is not ASCII)."""
    if not text.isascii():
        return True
    return any(whole_word(n).search(text) for n in names)


def _inert(lines: list[str], start: int, end: int) -> bool:
    """Whether lines ``start`` to ``end`` (0-based, exclusive) are blank or comments, and
    the line before them does not continue onto them."""
    if start > 0 and lines[start - 1].rstrip("\r\n").endswith("\\"):
        return False
    return all(not line.strip() or line.lstrip().startswith("#") for line in lines[start:end])


def _regions(tree: ast.Module) -> list[Region]:
    """Functions at module level and in module-level classes, also inside `if`, `try`,
    `with` and loop blocks there."""
    out: list[Region] = []

    def visit(
        body: list[ast.stmt],
        parent: ast.ClassDef | None,
        direct: bool,
        outer: ast.ClassDef | None = None,
    ) -> None:
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if node.body:
                    first = node.decorator_list[0].lineno if node.decorator_list else node.lineno
                    out.append(
                        Region(
                            first,
                            node.body[0].lineno,
                            node.end_lineno or node.lineno,
                            node.col_offset,
                            node.name,
                            parent.name if parent is not None else None,
                            node,
                            parent,
                            direct,
                            outer,
                        )
                    )
            elif isinstance(node, ast.ClassDef):
                if parent is None:
                    visit(node.body, node, direct)
                elif outer is None and direct:
                    # A class in a module-level class's body (argparse's `_Section`): its
                    # methods have no summary.
                    visit(node.body, node, False, parent)
            else:
                for block in _blocks(node):
                    visit(block, parent, False, outer)

    visit(tree.body, None, True)
    out.sort(key=lambda r: r.first)
    return out


_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
# The codes of the rules that read the whole module (not run by a partial analysis).
_MODULE_WIDE = frozenset(rule.code for rule in ALL_RULES if rule.module_wide)


def _line(finding: Finding) -> int:
    return finding.span.line


_SIMPLE = (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Expr, ast.Pass, ast.Assert, ast.Delete)
_BUILTINS = frozenset(dir(builtins))


def _dedents(lines: list[str], indent: int) -> bool:
    """Whether one of the lines is code indented no deeper than ``indent``."""
    for line in lines:
        code = line.lstrip()
        if code and not code.startswith("#") and len(line) - len(code) <= indent:
            return True
    return False


def _is_simple(node: ast.stmt) -> bool:
    return isinstance(node, _SIMPLE)


def _statements(tree: ast.Module) -> list[Statement]:
    """The simple statements at module level and directly in module-level classes."""
    out: list[Statement] = []

    def add(body: list[ast.stmt], parent: ast.ClassDef | None) -> None:
        for node in body:
            if isinstance(node, _SIMPLE):
                out.append(
                    Statement(
                        node.lineno, node.end_lineno or node.lineno, node.col_offset, node, parent
                    )
                )
            elif isinstance(node, ast.ClassDef) and parent is None:
                add(node.body, node)

    add(tree.body, None)
    out.sort(key=lambda st: st.first)
    return out


def _names_a_value(node: ast.stmt) -> bool:
    """Whether a statement's value refers to a name (a class, a function: `self.<attr>(...)`
    may call it), not to constants alone."""
    value = getattr(node, "value", None)
    return value is not None and any(isinstance(n, (ast.Name, ast.Attribute)) for n in walk(value))


def _binds_constant(body: list[ast.stmt], name: str) -> bool:
    """Whether ``body`` is one statement binding ``name`` alone, to a constant or a tuple of
    constants."""
    if len(body) != 1:
        return False
    node = body[0]
    if not (
        isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
        and node.targets[0].id == name
    ):
        return False
    value = node.value
    elements = value.elts if isinstance(value, (ast.Tuple, ast.List)) else [value]
    return all(isinstance(e, ast.Constant) for e in elements)


def _bound(node: ast.stmt) -> set[str]:
    """The names a statement binds (as the name resolver reads module-level assignments)."""
    if isinstance(node, ast.Assign):
        return {t.id for t in node.targets if isinstance(t, ast.Name)}
    if isinstance(node, (ast.AnnAssign, ast.AugAssign)) and isinstance(node.target, ast.Name):
        return {node.target.id}
    return set()


def _triggers(text: str, base: ModuleAnalysis) -> bool:
    """Whether a text mentions a word that can acquire (as the analysis's pre-filter reads)."""
    return bool(TriggerIndex(text, base.triggers.words))


def _same_header(old: _FunctionNode, new: _FunctionNode) -> bool:
    """Whether an edited function keeps its decorators (a cache decorator is read by a
    module-wide rule; the others by its own analysis and its summary)."""
    if len(old.decorator_list) != len(new.decorator_list):
        return False
    return all(
        ast.dump(a) == ast.dump(b)
        for a, b in zip(old.decorator_list, new.decorator_list, strict=True)
    )


def _blocks(node: ast.stmt) -> list[list[ast.stmt]]:
    if isinstance(node, (ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith)):
        return [node.body, getattr(node, "orelse", [])]
    if isinstance(node, ast.Try):
        return [node.body, *(h.body for h in node.handlers), node.orelse, node.finalbody]
    return []


def _parse_alone(
    text: str, first: int, in_block: bool, placed: bool = False
) -> tuple[list[ast.stmt], int] | ParseError | None:
    """Lines (``text``, starting on line ``first``) parsed on their own, inside an `if` block
    when they are indented (so that columns stay those of the file): their statements and how
    far to move them down; or their syntax error; None for an error the lines around them
    could change. ``placed``: the statements parsed where they lie in the file (behind blank
    lines: the tokenizer skips them far faster than moving every node of a long function
    down), so that they need no moving."""
    if placed and first > 1:
        pad = "\n" * (first - 2) + ("if 1:\n" + text if in_block else "\n" + text)
        try:
            body = ast.parse(pad).body
        except (SyntaxError, ValueError, MemoryError, RecursionError):
            pass  # said as an error of the lines alone, below
        else:
            if in_block:
                if len(body) != 1 or not isinstance(body[0], ast.If):
                    return None
                body = body[0].body
            return body, 0
    offset = first - 1
    own = text.splitlines(keepends=True)
    if in_block:
        text = "if 1:\n" + text
        offset -= 1
        own.insert(0, "\n")  # the lines as parsed, but for `if 1:`
    try:
        body = ast.parse(text).body
    except (SyntaxError, ValueError, MemoryError, RecursionError) as exc:
        if isinstance(exc, SyntaxError) and "triple-quoted" in (exc.msg or ""):
            return None  # an unterminated string would run on into the lines around
        return syntax_error(exc, offset, own)
    if in_block:
        if len(body) != 1 or not isinstance(body[0], ast.If):
            return None
        body = body[0].body
    return body, offset


def _parse_statements(text: str, first: int) -> ParseError | None:
    """The syntax error of lines (``text``, starting on line ``first``) parsed alone, as
    statements at one indentation; an error at line 0 when their indentation is mixed."""
    code = [
        line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")
    ]
    in_block = bool(code) and code[0][:1].isspace()
    if in_block and any(not line[:1].isspace() for line in code):
        return ParseError("mixed indentation", Span(0, 0, 0, 0))
    parsed = _parse_alone(text, first, in_block)
    return parsed if isinstance(parsed, ParseError) else None


def _parse_region(
    text: str, region: Region, any_name: bool = False
) -> _FunctionNode | ParseError | None:
    """The edited function (its lines' ``text``) parsed alone; its syntax error if it does
    not parse; None if it is no longer exactly one function of the same name (of any name:
    ``any_name``; then the text around it may not parse as before)."""
    parsed = _parse_alone(text, region.first, region.indent > 0, placed=True)
    if isinstance(parsed, ParseError):
        inside = region.first <= parsed.span.line <= region.first + text.count("\n")
        return parsed if inside else None
    if parsed is None or len(parsed[0]) != 1:
        return None
    (node,), offset = parsed
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    if node.name != region.name and not any_name:
        return None
    if node.col_offset != region.indent:
        return None
    if offset:
        ast.increment_lineno(node, offset)
    return node


def _leading(base: ModuleAnalysis) -> list[ast.stmt]:
    """The module's docstring and the imports that follow it (edits there are analysed in
    full, so their positions are current)."""
    out: list[ast.stmt] = []
    for i, stmt in enumerate(base.parsed.tree.body):
        docstring = i == 0 and isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
        if not docstring and not isinstance(stmt, (ast.Import, ast.ImportFrom)):
            break
        out.append(stmt)
    return out


def _imports(node: _FunctionNode) -> list[str]:
    """Its imports, and its assignments binding a module reached through an object
    (`socket = execmodel.socket`): the resolver gives both names module-wide. (Statements
    alone are walked: a long function has ten times as many other nodes.)"""
    return sorted(
        ast.dump(n)
        for n in iter_statements(node.body)
        if isinstance(n, (ast.Import, ast.ImportFrom))
        or (isinstance(n, ast.Assign) and module_alias_names(n))
    )


def _in_class(region: Region, node: _FunctionNode) -> ast.stmt:
    """The function as it sits in the module: a method inside (a copy of) its class."""
    if region.class_name is None:
        return node
    cls = ast.ClassDef(
        name=region.class_name,
        bases=[],
        keywords=[],
        body=[node],
        decorator_list=[],
        lineno=node.lineno,
        col_offset=0,
        end_lineno=node.end_lineno,
        end_col_offset=node.end_col_offset,
    )
    return cls


class Unseen:
    """Whether a definition is named nowhere but in its own `def` (in an ASCII text, where a
    name is spelled as it is): then no other code can call it, and only what its own analysis
    reads of its summary matters (its name, in the calls a resource class makes, in
    triggers and exports: whether and what it returns)."""

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.text = text
        self.used = False  # asked, and answered yes

    def __call__(self) -> bool:
        if self.name.startswith("__") and self.name.endswith("__"):
            return False  # called by the language itself (`__init__`, `__exit__`, ...)
        if not self.text.isascii() or not _once(self.name, self.text):
            return False
        self.used = True
        return True


def _once(word: str, text: str) -> bool:
    """Whether ``word`` occurs once as a whole word in the ASCII ``text``."""
    return _count(word, text, 2) == 1


def _occurs(word: str, text: str) -> bool:
    """Whether ``word`` occurs as a whole word in the ASCII ``text``."""
    return _count(word, text, 1) > 0


def _count(word: str, text: str, limit: int) -> int:
    """How many times ``word`` occurs as a whole word in the ASCII ``text``, counted up to
    ``limit`` (found with `str.find`: a regular expression starting with a look-behind tries
    every position of a long module)."""
    count = 0
    i = text.find(word)
    while i != -1:
        end = i + len(word)
        if (i == 0 or not _word_char(text[i - 1])) and (
            end == len(text) or not _word_char(text[end])
        ):
            count += 1
            if count >= limit:
                return count
        i = text.find(word, i + 1)
    return count


def _dunder(name: str) -> bool:
    return name.startswith("__") and name.endswith("__")


def _word_char(c: str) -> bool:
    return c.isalnum() or c == "_"


def _script_names(base: ModuleAnalysis) -> frozenset[str]:
    """The names module-level code binds, when some of that code may acquire a resource
    (else none: which of them definitions read changes no finding)."""
    names: set[str] = set()
    acquires = False
    for stmt in base.parsed.tree.body:
        if isinstance(
            stmt,
            (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom),
        ):
            continue
        acquires = acquires or base.triggered(stmt)
        if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and isinstance(
            stmt.value, (ast.Constant, ast.JoinedStr)
        ):
            continue  # a constant: neither a resource, nor made from one, nor holding one
        names |= {
            n.id for n in walk(stmt) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
        }
    # Constants (`CONN`) are the module's whatever reads them (flow/module_names.py).
    return frozenset(n for n in names if not n.isupper()) if acquires else frozenset()


def _same_summary(
    base: ModuleAnalysis, region: Region, node: _FunctionNode, unseen: Unseen
) -> bool:
    """Whether callers see the same summary of the edited function, or none can call it and
    what it returns is the same."""
    class_name = region.parent.name if region.parent is not None else None
    before, after = base.summaries.fingerprints(region.key, region.base_node, node, class_name)
    if before == after:
        return True
    return before[:3] == after[:3] and unseen()  # the same returns, types and reference


def _same_contribution(
    base: object,
    region: Region,
    node: _FunctionNode,
    before: Before,
    unseen: Unseen,
    text: str,
    found: dict[str, Stores],
) -> str:
    """What the edited function no longer gives the module that it gave the full analysis
    (``text``: the edited function's): "" when it gives the same. ``found["stores"]``: what a
    method that stores a resource on `self` gives the class scan, when that is the same."""

    assert isinstance(base, ModuleAnalysis)
    summaries = base.summaries
    old = region.base_node
    parent = region.parent
    outer = region.outer

    # A resource bound by module-level code is the module's when a definition reads its
    # name (flow/module_names.py).
    scripted = before(region, "module-level resources", lambda _: _script_names(base))
    assert isinstance(scripted, frozenset)
    if scripted:

        def globals_read(method: _FunctionNode) -> object:
            return scope_globals(method) & scripted

        if before(region, "globals read", globals_read) != globals_read(node):
            return "module-level names it reads changed"

    if outer is not None:
        # The outer class's attribute types read the nested class's methods too.
        def nested_types(method: _FunctionNode) -> object:
            return _nested_attribute_types(base, outer.name, method)

        if before(region, "nested attributes", nested_types) != nested_types(node):
            return "nested class's attribute types changed"
    if parent is None:
        if not region.direct:
            return ""  # only module-level statements are summarised
        if summaries.defs.get(region.name) is not old:
            return "redefined function"  # which definition callers see is module-wide
        # The methods it decorates are analysed inside the locks it holds around them
        # (`findings/decorator_locks.py`).
        if before(region, "decorator locks", held_attributes) != held_attributes(node):
            return "locks held as a decorator changed"
        return "" if _same_summary(base, region, node, unseen) else SUMMARY_CHANGED
    # Its siblings' lock findings read it: a lock acquired there and released here is
    # handed on, not leaked (`findings/lock_handoff.py`).
    receivers = before(region, "lock receivers", lambda _: lock_receivers(parent))
    assert isinstance(receivers, frozenset)

    def lock_reads(method: _FunctionNode) -> object:
        return method_lock_reads(method, receivers)

    if before(region, "lock reads", lock_reads) != lock_reads(node):
        return "lock hand-offs changed"
    # What a constructor's callers hand it depends on what every method does with the
    # parameters `__init__` keeps (summaries/constructors.py).
    params_kept = before(
        region, "constructor stores", lambda _: frozenset(stored_parameters(parent))
    )
    assert isinstance(params_kept, frozenset)
    if params_kept:
        release_names = summaries.catalogue.release_methods()

        def constructor_context(method: _FunctionNode) -> object:
            return constructor_reads(method, params_kept, release_names)

        if before(region, "constructor reads", constructor_context) != constructor_context(node):
            return "what the constructor keeps may be released otherwise"
    if summaries.class_defs.get(parent.name) is not parent:
        return ""  # a class in a block, or redefined: not summarised
    if region.name == "__init__" and summaries.classes.get(parent.name) is not None:
        # What callers hand the constructor (summaries/constructors.py).
        summary_then, summary_now = summaries.fingerprints(region.key, old, node, parent.name)
        if summary_then != summary_now or before(region, "init reads", init_reads) != init_reads(
            node
        ):
            return "constructor's summary may have changed"

    def attribute_types(method: _FunctionNode) -> object:
        return _attribute_types(base, parent.name, method)

    def class_contribution(method: _FunctionNode) -> object:
        return _class_contribution(base, parent, method)

    # A class's attribute types come from all the statements of its methods.
    if before(region, "attributes", attribute_types) != attribute_types(node):
        return "attribute types changed"

    def class_attributes_stored(method: _FunctionNode) -> object:
        return self_attrs_stored(method) & class_level_names(parent)

    # What `self.conn_class(...)` makes in any method is the class attribute's class unless
    # some method binds the attribute on `self` (`class_attribute`). (The edited text names
    # none of the class's attributes, most often: then it binds none of them.)
    stored = before(region, "class attributes stored", class_attributes_stored)
    names = before(region, "class-level names", lambda _: class_level_names(parent))
    assert isinstance(names, frozenset)
    if (stored or any(n in text for n in names)) and stored != class_attributes_stored(node):
        return "class attributes bound on self changed"
    if not region.direct:
        return ""

    def callables(method: _FunctionNode) -> object:
        return _class_callables(base, parent, old, method)

    # What `self.<attr>(...)` calls in the class's methods is read from all its members.
    if before(region, "callables", callables) != callables(node):
        return "callables kept on self changed"
    members = [m for m in parent.body if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))]
    if [m for m in members if m.name == region.name][-1] is not old:
        return "redefined method"
    # What a class stores on `self` and releases is read from its methods together.
    if f"class:{parent.name}" in base.catalogue.types and region.name in _PROTOCOL:
        return "protocol method of a resource class"
    kept = before(region, "class", class_contribution)
    if kept is None:
        # It stores a resource on `self`: the class scan's findings sit in it.
        def own_stores(method: _FunctionNode) -> Stores | None:
            end = method.end_lineno or method.lineno
            if method is old:
                return stores(base, parent, old, base.source.lines[old.lineno - 1 : end])
            own = source_lines(text)[method.lineno - region.first : end - region.first + 1]
            return stores(base, parent, method, [line.rstrip("\r\n") for line in own])

        now = own_stores(node)
        then = before(region, "stores", own_stores)
        if not isinstance(then, Stores) or not same_stores(base, parent, then, now):
            return "what the class scan reads changed"
        assert now is not None
        found["stores"] = now
    elif kept != class_contribution(node):
        return "what the class scan reads changed"
    # Last: only its callers depend on it (see `LiveModule._with_callers`).
    return "" if _same_summary(base, region, node, unseen) else SUMMARY_CHANGED


_PROTOCOL = frozenset({"__init__", "__enter__", "__exit__", "__aenter__", "__aexit__", "__del__"})


def _attribute_types(base: object, class_name: str, method: _FunctionNode) -> list[tuple[str, str]]:
    """The resource types the method assigns to attributes (as `class_attr_types` reads them)."""

    assert isinstance(base, ModuleAnalysis)
    scope = Scope(base.resolver, base.catalogue, base.summaries, class_name=class_name)
    return sorted(attribute_types([method], scope))


def _nested_attribute_types(
    base: object, class_name: str, method: _FunctionNode
) -> list[tuple[str, str]]:
    """The resource types a method of a nested class assigns to attributes, as the class
    ``class_name`` around it reads them (`attribute_types` of its body)."""

    assert isinstance(base, ModuleAnalysis)
    scope = Scope(base.resolver, base.catalogue, base.summaries, class_name=class_name)
    return sorted(assigned_types([method], scope))


def _class_callables(
    base: ModuleAnalysis, parent: ast.ClassDef, old: _FunctionNode, method: _FunctionNode
) -> dict[str, str]:
    """The callables the class keeps on `self` (`class_callables`) with ``method`` in the
    place of ``old``."""
    cls = with_member(parent, old, method)
    return class_callables(cls, base.resolver.qualify, base.parsed.facts)


def _class_contribution(base: object, parent: ast.ClassDef, method: _FunctionNode) -> object:
    """What the class scan reads from a method: None if it stores a resource on `self` (its
    findings sit in the method), else what it releases and which methods of `self` it calls."""

    assert isinstance(base, ModuleAnalysis)
    scope = Scope(base.resolver, base.catalogue, base.summaries, class_name=parent.name)
    acquired = ClassResources(parent)
    scan_acquisitions(method, scope, base, acquired)
    if acquired.acquired:
        return None
    resources = base.__dict__.get("_class_resources")
    if not resources or parent.name not in related_classes(resources):
        return ()  # the class has nothing to do with a class that stores a resource
    handled = ClassResources(parent)
    scan_handling(method, base, handled)
    calls = {
        n.func.attr
        for n in walk(method)
        if isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and isinstance(n.func.value, ast.Name)
        and n.func.value.id == "self"
    }
    # A release method of a resource class that releases before each failure it raises
    # releases on every path, not only on return (summaries/classes.py).
    own = base.catalogue.types.get(f"class:{parent.name}")
    on_raise = (
        releases_on_raise(method, own.release, base.catalogue.release_methods())
        if own is not None and method.name in own.release
        else None
    )
    # What it reaches through another name than its first parameter (`with selfx.stream:`
    # handles no attribute of `self`).
    return (
        sorted(handled.handled),
        sorted(handled.releasing_methods),
        sorted(calls),
        on_raise,
        receivers(method, handled.handled),
    )
