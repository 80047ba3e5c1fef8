"""Telling syntax this Python is too old for from a syntax error.

A line that fails to parse is first matched against a table of the syntax later Pythons
added (the offending line's pattern, and the version that added it). A match is only a
suspicion: `type X =` half typed, or `except A, B as e:` (an error in every Python), match
too. So the suspicion is checked: the line is rewritten into the older syntax it stands for
(type parameters blanked out, `type X = v` as `X = v`, `except A, B:` as `except (A, B):`, a
t-string as an f-string) and the code is parsed again. Only if the rewritten code parses (after
at most a few such rewrites, for several newer constructs) is it newer syntax; otherwise it is
a plain syntax error. The rewrite is only a test: the tree of code that needs a newer Python
is not analysed.
"""

from __future__ import annotations

import ast
import re
import sys
import textwrap
from collections.abc import Sequence

Version = tuple[int, int]

# Syntax newer than some Python we may run on: the version that added it, what it is, and the
# offending line's pattern (matched against the line the SyntaxError quotes).
_NEWER_SYNTAX: tuple[tuple[Version, str, re.Pattern[str]], ...] = (
    ((3, 11), "`except*` (exception groups)", re.compile(r"\s*except\s*\*")),
    (
        (3, 13),
        "a type parameter with a default (`def f[T = int]`)",
        re.compile(r"\s*(?:async\s+)?(?:def|class)\s+\w+\s*\[[^\]]*="),
    ),
    (
        (3, 12),
        "a type parameter list (`def f[T]`, `class C[T]`)",
        re.compile(r"\s*(?:async\s+)?(?:def|class)\s+\w+\s*\["),
    ),
    ((3, 12), "a `type` alias statement", re.compile(r"\s*type\s+[A-Za-z_]\w*\s*[\[=]")),
    (
        (3, 14),
        "`except` with several exception types and no parentheses",
        re.compile(r"\s*except\*?\s+[^(\s][^:]*,"),
    ),
    (
        (3, 14),
        "a template string (t-string)",
        re.compile(r".*(?<![\w.])(?:[tT][rR]?|[rR][tT])[\"']"),
    ),
)

# How many newer constructs one definition may use before the check gives up.
_MAX_REWRITES = 8


def newer_syntax(exc: SyntaxError, chunk: Sequence[str] = ()) -> tuple[Version, str] | None:
    """The Python version (newer than this one) whose syntax the failing line uses, and what
    that syntax is; None for a plain syntax error. ``chunk``: the lines that were parsed
    (``exc`` counts lines from their first), to check the suspicion; without them the line's
    pattern decides."""
    found = _suspected(exc.text or "")
    if found is None or not chunk:
        return found
    used = _parses_rewritten(exc, list(chunk))
    return max(used) if used else None  # what needs the newest Python, of all it uses


def _suspected(line: str) -> tuple[Version, str] | None:
    for version, what, pattern in _NEWER_SYNTAX:
        if sys.version_info[:2] < version and pattern.match(line):
            return version, what
    return None


def _parses_rewritten(exc: SyntaxError, lines: list[str]) -> list[tuple[Version, str]]:
    """The newer constructs whose rewriting makes ``lines`` parse; [] if it does not."""
    used: list[tuple[Version, str]] = []
    for _ in range(_MAX_REWRITES):
        index = (exc.lineno or 0) - 1
        suspected = _suspected(lines[index]) if 0 <= index < len(lines) else None
        rewritten = _older(lines[index]) if suspected is not None else None
        if suspected is None or rewritten is None:
            return []
        used.append(suspected)
        lines[index] = rewritten
        try:
            # Dedented: a class member is parsed with its indentation (blank lines stay).
            ast.parse(textwrap.dedent("".join(lines)))
        except SyntaxError as again:
            exc = again
            continue
        except (ValueError, MemoryError, RecursionError):
            return []
        return used
    return []


_PARAMS = re.compile(r"\s*(?:async\s+)?(?:def|class)\s+\w+\s*(?=\[)")
_ALIAS = re.compile(r"(\s*)type\s+([A-Za-z_]\w*)\s*")
_EXCEPT = re.compile(r"(\s*except\*?\s+)([^:]*?)(\s*:.*)", re.S)
_T_PREFIX = re.compile(r"(?<![\w.])(?:([tT])([rR]?)|([rR])([tT]))(?=[\"'])")


def _older(line: str) -> str | None:
    """The line in older syntax, for a parse test only; None if it has no rewrite."""
    new = line
    if sys.version_info[:2] < (3, 11):
        new = re.sub(r"^(\s*)except\s*\*", r"\1except ", new)
    params = _PARAMS.match(new)
    if params is not None:  # `def f[T](...)`: the brackets blanked out (columns kept)
        end = _closing(new, params.end())
        if end is None:
            return None
        new = new[: params.end()] + " " * (end + 1 - params.end()) + new[end + 1 :]
    alias = _ALIAS.match(new)
    if alias is not None:  # `type X[T] = v` as `X = v`
        rest = alias.end()
        if new[rest : rest + 1] == "[":
            end = _closing(new, rest)
            if end is None:
                return None
            rest = end + 1
        if not new[rest:].lstrip().startswith("="):
            return None
        new = f"{alias.group(1)}{alias.group(2)} {new[rest:].lstrip()}"
    handler = _EXCEPT.fullmatch(new)
    if handler is not None:  # `except A, B:` as `except (A, B):`; never with `as`
        kinds = handler.group(2)
        if "," in kinds and not kinds.lstrip().startswith("(") and not re.search(r"\bas\b", kinds):
            new = f"{handler.group(1)}({kinds}){handler.group(3)}"
    if new == line:  # t"..." as f"..." (only then: `"don't"` would look like one)
        new = _T_PREFIX.sub(lambda m: "f" + (m.group(2) or m.group(3) or ""), new)
    return new if new != line else None


def _closing(line: str, start: int) -> int | None:
    """The index of the bracket closing the one at ``start`` on the same line."""
    depth = 0
    for i in range(start, len(line)):
        if line[i] in "([{":
            depth += 1
        elif line[i] in ")]}":
            depth -= 1
            if depth == 0:
                return i
    return None
