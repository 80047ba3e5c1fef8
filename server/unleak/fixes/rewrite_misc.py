"""Fixes that add rather than restructure: `contextlib.closing` for a `with` that does not
close, moving an acquisition before `try`, and keeping a reference to a spawned task."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from unleak.findings.model import Edit, Fix
from unleak.fixes.rewrite import (
    Lines,
    find_block,
    fresh_name,
    import_insertion_line,
    lines_of,
    module_assigned,
    name_uses,
    own_line,
    sorted_import_line,
    spelling,
    statement_of,
    string_lines,
    used_names,
)
from unleak.fixes.rewrite_align import with_insertions
from unleak.names.text import expr_text
from unleak.source.walk import walk

if TYPE_CHECKING:
    from unleak.findings.module import LeakContext, ModuleAnalysis

TASKS_SET = "_background_tasks"


def closing_spelling(module: ModuleAnalysis) -> tuple[str, list[Edit]] | None:
    """How to spell `contextlib.closing` here, and the module-level import edit it needs
    (None when every spelling would clash with a name of the module)."""
    found = spelling(module.parsed.tree, "contextlib.closing")
    if found is None:
        return None
    text, import_line = found
    if import_line is None:
        return text, []
    lines: Lines = lines_of(module)
    line = sorted_import_line(module.parsed.tree, import_line.removeprefix("import "))
    return text, [lines.insert_after(line, [import_line])]


def closing_fix(context: LeakContext) -> Fix | None:
    """`with sqlite3.connect(db) as conn:` → `with contextlib.closing(sqlite3.connect(db)) as
    conn, conn:` (the connection still commits or rolls back, and is then closed)."""
    module, call = context.module, context.info.node
    stmt = statement_of(context.body, call)
    if not isinstance(stmt, (ast.With, ast.AsyncWith)):
        return None
    item = next((it for it in stmt.items if it.context_expr is call), None)
    if item is None or not isinstance(item.optional_vars, ast.Name):
        return None
    name = item.optional_vars.id
    inside = {id(n) for n in walk(stmt)}
    if any(id(u) not in inside for u in name_uses(context.scope, name)):
        return None  # the connection is used after the block, where it would be closed
    spelled = closing_spelling(module)
    if spelled is None:
        return None
    closing, imports = spelled
    lines = lines_of(module)
    start = lines.source.span(call)
    end = lines.source.span(item.optional_vars)
    keep = string_lines(lines, [stmt])
    if keep is None:
        return None
    # Continuation lines aligned with the call's brackets move right with it.
    inserts = {
        (start.line, start.column): f"{closing}(",
        (start.end_line, start.end_column): ")",
        (end.end_line, end.end_column): f", {name}",
    }
    new = with_insertions(lines, start.line, end.end_line, inserts, keep)
    return Fix(
        "Close the connection with `contextlib.closing` (the `with` still commits)",
        True,
        (*imports, lines.replace_lines(start.line, end.end_line, new)),
    )


def move_before_try(
    module: ModuleAnalysis, body: list[ast.stmt], call: ast.Call, try_stmt: ast.Try
) -> Fix | None:
    """`try: f = open(p) … finally: f.close()` → `f = open(p)` then `try: … finally:`.

    Comments right above the acquisition move with it; blank lines around it do not stay at
    the top of the `try` block (those after it go before `try:`)."""
    lines = lines_of(module)
    stmt = try_stmt.body[0]
    first, last = stmt.lineno, stmt.end_lineno or stmt.lineno
    above = range(try_stmt.lineno + 1, first)
    if (
        try_stmt.handlers
        or try_stmt.orelse
        or any(lines.text(n).strip()[:1] not in ("", "#") for n in above)
        or not own_line(lines, stmt)
        or statement_of(try_stmt.body, call) is not stmt
    ):
        return None
    keep = string_lines(lines, [stmt])
    if keep is None:
        return None
    indent = lines.indent(try_stmt.lineno)
    inner = lines.indent(first)

    def dedented(n: int) -> str:
        text = lines.text(n)
        if n in keep or not text.strip():
            return text
        return indent + text[len(inner) :] if text.startswith(inner) else text

    comments = [dedented(n) for n in above if lines.text(n).strip()]
    moved = [dedented(n) for n in range(first, last + 1)]
    after = 0
    if len(try_stmt.body) > 1:
        after = lines.blank_lines_from(last + 1, try_stmt.body[1].lineno - 1)
    new = [*comments, *moved, *([""] * after), lines.text(try_stmt.lineno)]
    if len(try_stmt.body) == 1:
        new.append(inner + "pass")
    edit = lines.replace_lines(try_stmt.lineno, last + after, new)
    return Fix(f"Acquire `{expr_text(call.func)}()` before `try`", True, (edit,))


def keep_task_fix(
    module: ModuleAnalysis, scope: ast.AST, body: list[ast.stmt], call: ast.Call
) -> Fix | None:
    """Keep a strong reference to the task until it is done, in a module-level set."""
    stmt = statement_of(body, call)
    lines = lines_of(module)
    if stmt is None or not own_line(lines, stmt) or find_block(body, stmt) is None:
        return None
    edits: list[Edit] = []
    if TASKS_SET not in module_assigned(module.parsed.tree):
        line = import_insertion_line(module.parsed.tree)
        # After the imports, a blank line sets it apart (as isort and ruff want it).
        edits.append(
            lines.insert_after(
                line,
                [*([""] if line else []), f"{TASKS_SET} = set()  # keeps background tasks alive"],
            )
        )
    indent = lines.indent(stmt.lineno)
    last = stmt.end_lineno or stmt.lineno
    if isinstance(stmt, ast.Expr) and stmt.value is call:
        task = fresh_name("task", used_names(scope))
        span = lines.source.span(call)
        keep = string_lines(lines, [stmt])
        if keep is None:
            return None
        # Continuation lines aligned with the call's brackets move right with it.
        inserts = {(span.line, span.column): f"{task} = "}
        assign = with_insertions(lines, stmt.lineno, last, inserts, keep)
        new = [
            *assign,
            f"{indent}{TASKS_SET}.add({task})",
            f"{indent}{task}.add_done_callback({TASKS_SET}.discard)",
        ]
        edits.append(lines.replace_lines(stmt.lineno, last, new))
    elif (
        isinstance(stmt, ast.Assign)
        and isinstance(stmt.targets[0], ast.Name)
        and stmt.value is call
    ):
        task = stmt.targets[0].id
        added = [
            f"{indent}{TASKS_SET}.add({task})",
            f"{indent}{task}.add_done_callback({TASKS_SET}.discard)",
        ]
        edits.append(lines.insert_after(last, added))
    else:
        return None
    return Fix("Keep a reference to the task until it is done", True, tuple(edits))
