"""Functions whose end is the end of a process: what they still hold when they return or
raise is released by the operating system as the process exits, on purpose.

Three shapes, all read from the module alone:

- the target of a `multiprocessing.Process(target=f)`: the child process runs `f` and exits
  when it returns or raises (a tunnel, a worker that forwards until killed);
- the entry point a script's `if __name__ == "__main__":` block calls as one of its own
  statements, outside any `try`: an exception out of it ends the program; so does its
  return when that call is the block's last statement (`main()`, `sys.exit(main())`);
- a private function one of those runs as a statement of its own body (outside `try`,
  `with` or a branch), or a decorated one through its `.main(...)` (a click command), neither
  exported by `__all__`: an exception
  out of it leaves its caller too; so does its return when it is the caller's last statement.

Only functions defined at module level that the module calls nowhere else count: called from
other code too, they are ordinary functions. Leaks *during* such a function (a resource
rebound, dropped or deleted while it runs) are still leaks.
"""

from __future__ import annotations

import ast
import bisect
import re
from collections.abc import Callable

from unleak.flow.module_names import exported_names
from unleak.source.facts import StatementFacts
from unleak.source.text import whole_word
from unleak.source.walk import children, walk

Qualify = Callable[[ast.expr], "str | None"]

PROCESS_CLASSES = frozenset(
    {
        "multiprocessing.Process",
        "multiprocessing.process.BaseProcess",
        "multiprocessing.context.Process",
        "multiprocessing.context.ForkProcess",
        "multiprocessing.context.SpawnProcess",
        "multiprocessing.context.ForkServerProcess",
    }
)


# The end of a function, by the leak kinds of flow/ownership.py.
RETURN, RAISE = "exit", "raise"


def process_bodies(
    tree: ast.Module,
    qualify: Qualify,
    text: str,
    facts: StatementFacts | None = None,
    spawns: bool = True,
) -> dict[str, frozenset[str]]:
    """Module-level functions whose end is the process's, with the ways of leaving them
    (RETURN, RAISE) that end it. ``text``: the module's source, to skip walking its tree for
    words it does not contain; ``facts``: what each top-level statement calls and reads,
    kept from an earlier version of the module; ``spawns``: False when no name of the
    module can be one of the PROCESS_CLASSES (its `target=` calls are not looked for)."""
    defined = [s.name for s in tree.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))]
    if not defined:
        return {}
    ends: dict[str, set[str]] = {}
    sanctioned: dict[int, str] = {}  # the Name nodes that make a candidate (not other uses)
    # In ASCII text a name is spelled as it is (NFKC could make it of other characters).
    ascii_text = text.isascii()
    # Each statement's uses, walked once and kept with its tree; not walked at all when the
    # text cannot pass `target=` and no function turns out a candidate (a first analysis of
    # a large module walked every function for them).
    uses: list[Uses] | None = None
    if facts is not None and ascii_text and "target" not in text:
        targets: list[Target] = []
    elif facts is not None:
        uses = [_uses_of(stmt, facts) for stmt in tree.body]
        targets = [t for stmt_targets, _ in uses for t in stmt_targets]
    elif not spawns:
        # Walking a test module that passes `target=` everywhere for none (a tenth of the
        # check of some files, done again for every fix checked).
        targets = []
    elif not ascii_text:
        targets = [t for stmt in tree.body for t in _targets(stmt)]
    else:
        # Only the statements whose lines spell `target =` can pass it as a keyword.
        lines = _keyword_lines(text)
        targets = [t for stmt in tree.body for t in _targets(stmt, lines)]
    for func, target in targets:
        if qualify(func) in PROCESS_CLASSES:
            ends.setdefault(target.id, set()).update((RETURN, RAISE))
            sanctioned[id(target)] = target.id
    calls: dict[str, int] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.If) and _is_main_guard(stmt.test):
            for i, inner in enumerate(stmt.body):
                call = _entry_call(inner)
                if call is None or not isinstance(call.func, ast.Name):
                    continue
                name = call.func.id
                calls[name] = calls.get(name, 0) + 1
                sanctioned[id(call.func)] = name
                kinds = ends.setdefault(name, set())
                kinds.add(RAISE)
                if i == len(stmt.body) - 1:
                    kinds.add(RETURN)
    for name, n in calls.items():
        if n > 1:
            ends[name].discard(RETURN)  # called again after it returns
    # Used anywhere else (called, passed, stored): an ordinary function.
    uses = _drop_used_elsewhere(ends, tree, text, defined, sanctioned, facts, uses, ascii_text)
    # What such a function calls last, or outside any `try`, ends with it (`main()` that
    # runs `cli.main(args=argv)`); those callees are checked the same way.
    inherited = _callees_ending(tree, ends, sanctioned)
    if inherited:
        _drop_used_elsewhere(inherited, tree, text, defined, sanctioned, facts, uses, ascii_text)
        ends.update(inherited)
    return _result(ends, defined)


def _drop_used_elsewhere(
    ends: dict[str, set[str]],
    tree: ast.Module,
    text: str,
    defined: list[str],
    sanctioned: dict[int, str],
    facts: StatementFacts | None,
    uses: list[Uses] | None,
    ascii_text: bool,
) -> list[Uses] | None:
    """Drop from ``ends`` the functions the module reads other than as a candidate's
    ``sanctioned`` uses; the statements' uses (walked once, kept for a second call)."""
    if not ends:
        return uses
    if facts is not None:
        if uses is None:
            uses = [_uses_of(stmt, facts) for stmt in tree.body]
        for name in list(ends):
            loads = sum(stmt_loads.get(name, 0) for _, stmt_loads in uses)
            if loads > sum(1 for n in sanctioned.values() if n == name):
                ends.pop(name)
        return uses
    # Not when the text spells the name only in its definitions and the uses that made it
    # a candidate.
    others = [
        name
        for name in ends
        if not ascii_text or _mentioned_elsewhere(name, text, defined, sanctioned)
    ]
    for node in walk(tree) if others else ():
        if (
            isinstance(node, ast.Name)
            and isinstance(node.ctx, ast.Load)
            and node.id in ends
            and id(node) not in sanctioned
        ):
            ends.pop(node.id)
    return uses


def _callees_ending(
    tree: ast.Module, ends: dict[str, set[str]], sanctioned: dict[int, str]
) -> dict[str, set[str]]:
    """Module-level plain functions that one of ``ends`` calls as a statement of its own body
    (not inside `try`, `with` or a branch): an exception out of the callee leaves the caller,
    and so ends the process; the callee's return does when the call is the caller's last
    statement and the caller's return ends it. A decorated callee may be run through the
    object its decorator made (`cli.main(args=argv)`, a click command)."""
    plain = {s.name: s for s in tree.body if isinstance(s, ast.FunctionDef)}
    exported = exported_names(tree) if plain else set()
    out: dict[str, set[str]] = {}
    for caller, kinds in ends.items():
        func = plain.get(caller)
        if func is None or RAISE not in kinds:
            continue
        for i, stmt in enumerate(func.body):
            call = _entry_call(stmt)
            target = _callee_name(call.func, plain, exported) if call is not None else None
            if target is None or target.id == caller or target.id in ends:
                continue
            sanctioned[id(target)] = target.id
            got = out.setdefault(target.id, set())
            got.add(RAISE)
            if i == len(func.body) - 1 and RETURN in kinds:
                got.add(RETURN)
    return out


def _callee_name(
    func: ast.expr, plain: dict[str, ast.FunctionDef], exported: set[str]
) -> ast.Name | None:
    """The callee of a call that may end with its caller: a private function of the module
    (a public one may be another module's API: Pyro4's `startNSloop`, which its `main` runs
    too), or a decorated one run through `.main(...)`, not exported by `__all__`."""
    if (
        isinstance(func, ast.Name)
        and func.id in plain
        and func.id.startswith("_")
        and not func.id.startswith("__")
        and func.id not in exported
    ):
        return func
    if (
        isinstance(func, ast.Attribute)
        and func.attr == "main"
        and isinstance(func.value, ast.Name)
        and func.value.id in plain
        and func.value.id not in exported
        and plain[func.value.id].decorator_list
    ):
        return func.value
    return None


def _result(ends: dict[str, set[str]], defined: list[str]) -> dict[str, frozenset[str]]:
    return {name: frozenset(kinds) for name, kinds in ends.items() if name in defined and kinds}


# `target` as a keyword could be spelled (not an attribute, not compared): what may stand
# between the name and its `=` inside brackets is blanks, line breaks and comments.
# The word first, its start checked behind it (see source.text.whole_word).
_TARGET_KEYWORD = re.compile(
    r"target(?<![\w.]target)(?=(?:[ \t\f\r\n]|\\\r?\n|#[^\r\n]*)*=(?!=))"
)


def _keyword_lines(text: str) -> list[int]:
    """The lines (sorted, 1-based) where `target` may begin a keyword argument: fewer than
    those of every `target` (a test module reading `self.target` everywhere)."""
    out: list[int] = []
    line, last = 1, 0
    for m in _TARGET_KEYWORD.finditer(text):
        at = m.start()
        line += text.count("\n", last, at)
        last = at
        if not out or out[-1] != line:
            out.append(line)
    return out


def _spans_any(stmt: ast.AST, lines: list[int]) -> bool:
    """Whether one of ``lines`` (sorted) is a line of ``stmt`` (a node with a position),
    decorators included."""
    line: int = getattr(stmt, "lineno")  # noqa: B009
    decorators = getattr(stmt, "decorator_list", None)
    first = min(line, decorators[0].lineno) if decorators else line
    i = bisect.bisect_left(lines, first)
    return i < len(lines) and lines[i] <= (getattr(stmt, "end_lineno", None) or line)


Target = tuple[ast.expr, ast.Name]  # a call's function, and the name passed as its `target=`


def _targets(stmt: ast.AST, lines: list[int] | None = None) -> list[Target]:
    """The calls with a `target=` name in ``stmt``, in the order of `ast.walk`. ``lines``
    (sorted): the only lines where the word `target` occurs; a node none of whose lines is
    one of them is not walked into (a class of a thousand lines that spells it once)."""
    out: list[Target] = []
    # Breadth first, as `ast.walk`; with whether a node's positions can be trusted to hold
    # its children's (inside an f-string, Python 3.11 and older may misplace them).
    todo: list[tuple[ast.AST, bool]] = [(stmt, lines is not None)]
    for node, prune in todo:
        if lines is not None and prune and hasattr(node, "lineno") and not _spans_any(node, lines):
            continue
        if isinstance(node, ast.Call):
            for kw in node.keywords:
                if kw.arg == "target" and isinstance(kw.value, ast.Name):
                    out.append((node.func, kw.value))
        inner = prune and not isinstance(node, ast.JoinedStr)
        todo.extend((child, inner) for child in children(node))
    return out


Uses = tuple[list[Target], dict[str, int]]


def _uses_of(stmt: ast.stmt, facts: StatementFacts) -> Uses:
    """`_uses`; a top-level class's from its header's and its members' (kept while their
    trees are): the order of the targets does not matter. The fold is kept with the class's
    tree too (a class whose text changed gets a new tree), so that an analysis merges the
    counts of the classes an edit changed alone."""
    if isinstance(stmt, ast.ClassDef):
        return facts.get(stmt, "process uses of class", lambda cls: _class_uses(cls, facts))
    return facts.get(stmt, "process uses", _uses)


def _class_uses(stmt: ast.AST, facts: StatementFacts) -> Uses:
    """`_uses` of a class, from its header's and its members' (kept while their trees are)."""
    assert isinstance(stmt, ast.ClassDef)
    per_member = facts.members(stmt, "process uses", _uses)
    if per_member is None:
        return _uses(stmt)
    header = [*stmt.decorator_list, *stmt.bases, *stmt.keywords, *getattr(stmt, "type_params", ())]
    parts = [_uses(node) for node in header] + per_member
    targets = [t for found, _ in parts for t in found]
    loads: dict[str, int] = {}
    for _, found in parts:
        for name, n in found.items():
            loads[name] = loads.get(name, 0) + n
    return targets, loads


def _uses(stmt: ast.AST) -> Uses:
    """A statement's calls with a `target=` name, and how often it reads each name."""
    targets: list[Target] = []
    loads: dict[str, int] = {}
    for node in walk(stmt):
        if isinstance(node, ast.Call):
            for kw in node.keywords:
                if kw.arg == "target" and isinstance(kw.value, ast.Name):
                    targets.append((node.func, kw.value))
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            loads[node.id] = loads.get(node.id, 0) + 1
    return targets, loads


def _mentioned_elsewhere(
    name: str, text: str, defined: list[str], sanctioned: dict[int, str]
) -> bool:
    """Whether the text has the word ``name`` more often than its module-level definitions
    (`def name`) and the candidate uses of it."""
    expected = defined.count(name) + sum(1 for n in sanctioned.values() if n == name)
    found = len(whole_word(name).findall(text))
    return found > expected


def _is_main_guard(test: ast.expr) -> bool:
    return (
        isinstance(test, ast.Compare)
        and len(test.ops) == 1
        and isinstance(test.ops[0], ast.Eq)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
        and isinstance(test.comparators[0], ast.Constant)
        and test.comparators[0].value == "__main__"
    )


def end_facts(node: ast.AST, candidates: frozenset[str], ending: bool) -> object:
    """What `process_bodies` reads of one definition or statement, the rest of the module
    unchanged: its `target=` calls, how often it reads each of the ``candidates``
    (`candidates`) and, for a function whose end is the process's (``ending``), the calls
    that are statements of its body (its callees may end with it). An edit that keeps them
    keeps `process_bodies`."""
    targets, loads = _uses(node)
    return (
        sorted((ast.dump(f), t.id) for f, t in targets),
        {n: c for n, c in loads.items() if n in candidates},
        _body_calls(node) if ending else None,
    )


def candidates(tree: ast.Module, facts: StatementFacts | None = None) -> frozenset[str]:
    """Every name whose reads `process_bodies` may count: the names passed as `target=`, the
    functions the entry point calls, and what those call as statements of their bodies (a
    superset: whether they qualify, and `__all__`, are not asked)."""
    names: set[str] = set()
    for stmt in tree.body:
        targets = _uses_of(stmt, facts)[0] if facts is not None else _uses(stmt)[0]
        names.update(target.id for _, target in targets)
        if isinstance(stmt, ast.If) and _is_main_guard(stmt.test):
            for inner in stmt.body:
                call = _entry_call(inner)
                if call is not None and isinstance(call.func, ast.Name):
                    names.add(call.func.id)
    plain = {s.name: s for s in tree.body if isinstance(s, ast.FunctionDef)}
    for name in list(names):
        func = plain.get(name)
        for stmt in func.body if func is not None else ():
            call = _entry_call(stmt)
            callee = _callee_name(call.func, plain, set()) if call is not None else None
            if callee is not None:
                names.add(callee.id)
    return frozenset(names)


def _body_calls(node: ast.AST) -> list[str | None]:
    """What each statement of a function's body runs as `_entry_call` reads it."""
    body: list[ast.stmt] = getattr(node, "body", [])
    return [ast.dump(c.func) if (c := _entry_call(stmt)) is not None else None for stmt in body]


def _entry_call(stmt: ast.stmt) -> ast.Call | None:
    """`main()`, `sys.exit(main())` or `raise SystemExit(main())` as a statement."""
    value: ast.expr | None = None
    if isinstance(stmt, ast.Expr):
        value = stmt.value
    elif isinstance(stmt, ast.Raise):
        value = stmt.exc
    if not isinstance(value, ast.Call):
        return None
    if value.args and isinstance(value.args[0], ast.Call) and not isinstance(value.func, ast.Name):
        return value.args[0]  # sys.exit(main())
    if isinstance(value.func, ast.Name) and value.func.id == "SystemExit" and value.args:
        inner = value.args[0]
        return inner if isinstance(inner, ast.Call) else None
    return value
