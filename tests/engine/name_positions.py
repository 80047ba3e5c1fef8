"""Where to edit a module's text, for the randomized tests of the live analysis (and
`bench/live_fixtures.py`): the ends of names (line, column), seeded; the lines of single
statements that may become `pass`."""

from __future__ import annotations

import ast
import random


def _definition_name_ends(node: ast.AST, lines: list[str]) -> tuple[int, int] | None:
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return None
    at = lines[node.lineno - 1].find(f" {node.name}") + 1 + len(node.name)
    return (node.lineno, at) if at > len(node.name) else None


def name_positions(text: str, count: int, rng: random.Random) -> list[tuple[int, int]]:
    """Where names end: in bodies, signatures, decorators, class bodies, module-level
    statements and imports alike (lines of ASCII text only: columns are characters)."""
    found: set[tuple[int, int]] = set()
    lines = text.splitlines()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.Name, ast.arg, ast.alias)) and node.end_col_offset is not None:
            if lines[node.lineno - 1].isascii():
                found.add((node.lineno, node.end_col_offset))
        elif (end := _definition_name_ends(node, lines)) is not None:
            found.add(end)
    return rng.sample(sorted(found), min(count, len(found)))


def renamable(text: str, count: int, rng: random.Random) -> list[tuple[int, int]]:
    """Where imported names and the names of definitions end."""
    found: set[tuple[int, int]] = set()
    lines = text.splitlines()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.alias) and node.end_col_offset is not None:
            found.add((node.lineno, node.end_col_offset))
        elif (end := _definition_name_ends(node, lines)) is not None:
            found.add(end)
    return rng.sample(sorted(found), min(count, len(found)))


def statement_lines(lines: list[str]) -> list[int]:
    """Indented lines of single statements (a class's too, a decorator) that may become
    `pass`: not a block's header, a continuation, a comment or a string."""
    return [
        i
        for i, line in enumerate(lines)
        if line.startswith(" " * 4)
        and line.strip()
        and not line.strip().startswith(("#", '"', "'", ")", "]", "}"))
        and not line.rstrip().endswith((":", ",", "(", "[", "{", "\\"))
    ]


def parses(text: str) -> bool:
    try:
        ast.parse(text)
    except SyntaxError:
        return False
    return True
