"""Parsing an edited top-level class member by member: its header is parsed with an empty
body, and each member (a method, a class-level statement; see `chunks.class_layout`) whose
text did not change keeps its tree from the class's earlier version, moved to its new line;
only the members the edit touched are parsed again, so typing in a class of thousands of lines
parses a few lines. The tree is the one `ast.parse` gives for the class (the tests hold the
standard library's classes to that)."""

from __future__ import annotations

import ast

from unleak.source.chunks import Chunk, class_layout
from unleak.source.walk import increment_lineno

_ERRORS = (SyntaxError, ValueError, MemoryError, RecursionError)

# A member's text -> the trees of the members of that text, one list per member.
Members = dict[str, list[list[ast.stmt]]]


def parse_at(text: str, first: int) -> list[ast.stmt]:
    """The statements of ``text`` as they are when it starts on line ``first`` of a module
    (a prefix of blank lines would cost the tokenizer as many lines as lie above it)."""
    body = ast.parse(text).body
    if first > 1:
        for stmt in body:
            increment_lineno(stmt, first - 1)
    return body


def first_line(stmt: ast.stmt) -> int:
    """A statement's first line, its decorators included."""
    decorators = getattr(stmt, "decorator_list", None)
    return min(stmt.lineno, decorators[0].lineno) if decorators else stmt.lineno


def members_of(text: str, first: int, cls: ast.ClassDef) -> Members:
    """The trees of the members of a class whose chunk text is ``text``, starting on line
    ``first``, and whose tree is ``cls``."""
    layout = class_layout(Chunk(first, first, text, "class", cls.name, ""))
    out: Members = {}
    body = cls.body
    i = 0
    for member in layout.members:
        stmts: list[ast.stmt] = []
        while i < len(body) and first_line(body[i]) <= member.last:
            stmts.append(body[i])
            i += 1
        if stmts and first_line(stmts[0]) == member.first:
            out.setdefault(member.text, []).append(stmts)
    return out


def parse_class(chunk: Chunk, earlier: Members) -> tuple[ast.ClassDef, int] | None:
    """The tree of a class chunk, reusing (and taking out of ``earlier``) the trees of the
    members whose text is unchanged, and how many lines were parsed; None when the class
    cannot be parsed member by member (a one-line body, a member split inside brackets,
    a syntax error): parse it whole then."""
    layout = class_layout(chunk)
    if not layout.members:
        return None
    header = layout.header
    indent = layout.members[0].indent
    try:
        shell = parse_at(header.text + indent + "pass\n", header.first)
    except _ERRORS:
        return None
    if len(shell) != 1 or not isinstance(shell[0], ast.ClassDef):
        return None
    cls = shell[0]
    parsed = header.last - header.first + 1
    body: list[ast.stmt] = []
    for member in layout.members:
        same = earlier.get(member.text)
        stmts = same.pop() if same else None
        if stmts is None:
            try:
                block = parse_at("if 1:\n" + member.text, member.first - 1)
            except _ERRORS:
                return None
            if len(block) != 1 or not isinstance(block[0], ast.If):
                return None
            stmts = block[0].body
            parsed += member.last - member.first + 1
        else:
            delta = member.first - first_line(stmts[0])
            if delta:
                for stmt in stmts:
                    increment_lineno(stmt, delta)
        body.extend(stmts)
    cls.body = body
    cls.end_lineno = body[-1].end_lineno
    cls.end_col_offset = body[-1].end_col_offset
    return cls, parsed
