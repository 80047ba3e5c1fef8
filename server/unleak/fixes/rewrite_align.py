"""Keeping continuation lines aligned when a fix moves the code they are aligned with.

A continuation line written to line up with an open bracket (``foo(a,`` / ``    b)``) must
move with that bracket when a fix moves it: into a ``with`` header, or to the right of a
name that replaced a longer call. Lines indented any other way (a hanging indent) keep
their indentation relative to the statement. Code indented with tabs and aligned with
spaces after them (the usual way to mix them) is aligned the same way, counting in
characters after the statement's tabs; any other mix makes columns ambiguous, and its lines
are left as they were.
"""

from __future__ import annotations

import io
import tokenize
from collections.abc import Callable

from unleak.fixes.rewrite import Lines
from unleak.source.spans import Span

_OPEN, _CLOSE = "([{", ")]}"

# The old (line, column) of a bracket -> its column in the new text.
Placement = Callable[[int, int], int | None]


def tab_prefix(lines: Lines, first: int, last: int) -> str | None:
    """The tabs the statement on lines first..last is indented with ("" with spaces), when
    each of its lines starts with them and goes on with spaces only; else None."""
    head = lines.text(first)
    prefix = head[: len(head) - len(head.lstrip("\t"))]
    for n in range(first, last + 1):
        text = lines.text(n)
        space = text[: len(text) - len(text.lstrip())]
        if text.strip() and (not space.startswith(prefix) or "\t" in space[len(prefix) :]):
            return None
    return prefix


def aligned_brackets(lines: Lines, first: int, last: int) -> dict[int, tuple[int, int]]:
    """For each line of first..last that starts just after an open bracket's column (the
    bracket on an earlier line), that bracket's (line, column)."""
    texts = [lines.text(n) for n in range(first, last + 1)]
    if tab_prefix(lines, first, last) is None:
        return {}
    stack: list[tuple[int, int]] = []
    found: dict[int, tuple[int, int]] = {}
    seen_line = 0
    try:
        for tok in tokenize.generate_tokens(io.StringIO("\n".join(texts) + "\n").readline):
            line, col = tok.start[0] + first - 1, tok.start[1]
            if tok.type in (tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT):
                continue
            if line != seen_line:
                seen_line = line
                if stack and stack[-1][0] < line and col == stack[-1][1] + 1:
                    found[line] = stack[-1]
            if tok.type == tokenize.OP and tok.string in _OPEN:
                stack.append((line, col))
            elif tok.type == tokenize.OP and tok.string in _CLOSE and stack:
                stack.pop()
    except (tokenize.TokenError, SyntaxError):
        return {}
    return found


def _reindent(text: str, indent: int, tabs: str = "") -> str:
    """The line indented to column `indent` (in characters): `tabs`, then spaces."""
    return tabs + " " * (indent - len(tabs)) + text.lstrip(" \t")


def moved_expression(lines: Lines, first: int, last: int, span: Span, column: int) -> list[str]:
    """The text of `span` (an expression in the statement on lines first..last) as it reads
    when it starts at `column` instead: the first line from the expression on, then its
    other lines whole, those aligned with a bracket inside it moved as far as that bracket
    moved."""
    if span.line == span.end_line:
        return [lines.text(span.line)[span.column : span.end_column]]
    brackets = aligned_brackets(lines, first, last)
    tabs = tab_prefix(lines, first, last) or ""  # the header's, the statement's indentation
    shifts: dict[int, int] = {}

    def place(line: int, col: int) -> int | None:
        if line == span.line:
            return column + col - span.column if col >= span.column else None
        return col + shifts[line] if line in shifts else None

    out = [lines.text(span.line)[span.column :]]
    for n in range(span.line + 1, span.end_line + 1):
        text = lines.text(n)
        if n == span.end_line:
            text = text[: span.end_column]
        shifts[n] = _shift(text, brackets.get(n), place, 0)
        out.append(_reindent(text, _indent(text) + shifts[n], tabs) if text.strip() else text)
    return out


def replaced_in_statement(
    lines: Lines, first: int, last: int, span: Span, name: str, extra: str
) -> list[str]:
    """Lines first..last indented by `extra`, with the text of `span` replaced by `name`;
    lines aligned with a bracket that moved (after `span` on its last line) move with it."""
    brackets = aligned_brackets(lines, first, last)
    tabs = tab_prefix(lines, first, last) or ""
    if tabs and extra.strip("\t"):
        brackets = {}  # tabs, then spaces as the block's step: no column is certain
    tabs += extra.rstrip(" ")  # the block's tabs, then the step into the new block's
    shifts: dict[int, int] = {}

    def place(line: int, col: int) -> int | None:
        if line == span.end_line and col >= span.end_column:
            return col - span.end_column + span.column + len(name) + shifts[span.line]
        return col + shifts[line] if line in shifts else None

    out: list[str] = []
    for n in range(first, last + 1):
        if span.line < n <= span.end_line:
            continue  # the rest of the replaced text
        text = lines.text(n)
        if n == span.line:
            text = text[: span.column] + name + lines.text(span.end_line)[span.end_column :]
        shifts[n] = _shift(text, brackets.get(n), place, len(extra))
        if not text.strip():
            out.append(text)
        elif shifts[n] == len(extra):
            out.append(extra + text)
        else:
            out.append(_reindent(text, _indent(text) + shifts[n], tabs))
    return out


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" \t"))


def _shift(text: str, bracket: tuple[int, int] | None, place: Placement, default: int) -> int:
    """How far the line moves: with its bracket if it is aligned with one, else `default`."""
    if bracket is None or not text.strip():
        return default
    new = place(*bracket)
    return default if new is None else new + 1 - _indent(text)


def with_insertions(
    lines: Lines,
    first: int,
    last: int,
    inserts: dict[tuple[int, int], str],
    keep: frozenset[int] = frozenset(),
) -> list[str]:
    """Lines first..last with text inserted at (line, column) positions (single-line texts);
    lines aligned with a bracket that moved right (`closing(` put before a call, `task = `
    before a statement) move with it. Lines in `keep` (inside strings) stay as they are."""
    brackets = aligned_brackets(lines, first, last)
    tabs = tab_prefix(lines, first, last) or ""
    shifts: dict[int, int] = {}

    def place(line: int, col: int) -> int | None:
        if line not in shifts:
            return None
        added = sum(len(t) for (n, c), t in inserts.items() if n == line and c <= col)
        return col + shifts[line] + added

    out: list[str] = []
    for n in range(first, last + 1):
        old = lines.text(n)
        text = old
        for (_, col), insert in sorted(
            ((k, v) for k, v in inserts.items() if k[0] == n), reverse=True
        ):
            text = text[:col] + insert + text[col:]
        shifts[n] = 0 if n in keep else _shift(old, brackets.get(n), place, 0)
        if shifts[n] and text.strip():
            text = _reindent(text, _indent(old) + shifts[n], tabs)
        out.append(text)
    return out
