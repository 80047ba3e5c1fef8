"""Builtins a function rebinds: `open = webbrowser.get(b).open`, a parameter or a nested
`def open(url)` make `open(...)` in that function (and in functions nested in it) a call of
something else, not of the builtin that opens a file."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable

from unleak.source.walk import children

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_BINDS_AFTER = re.compile(r"[ \t]*(?:=(?!=)|:|,|\))")
_KEYWORDS = ("def", "class", "as", "for", "import")
_KEYWORD_BEFORE = re.compile(r"\b(?:def|class|as|for|import)[ \t]+$")


def may_bind(lines: Iterable[str], names: frozenset[str]) -> frozenset[str]:
    """The ``names`` that ``lines`` (a function's source) may bind: after `def`, `class`, `as`,
    `for` or `import`, or before `=`, `:`, `,` or `)` (an assignment, a parameter, a tuple
    target). Only those need a walk of the function's tree: a function that merely calls
    `open(...)` needs none. A name lies on one line."""
    found: set[str] = set()
    for line in lines:
        for name in names:
            if name in line and name not in found and _binds_on(line, name):
                found.add(name)
    return frozenset(found)


def _binds_on(line: str, name: str) -> bool:
    start = line.find(name)
    while start >= 0:
        end = start + len(name)
        before = line[start - 1] if start else " "
        after = line[end] if end < len(line) else " "
        # Not an attribute (`webbrowser.open`) nor a longer name (`reopen`, `opener`).
        whole = not (before == "." or before.isidentifier() or before.isdigit()) and not (
            after.isidentifier() or after.isdigit()
        )
        if whole and (_BINDS_AFTER.match(line, end) or _keyword_before(line, start)):
            return True
        start = line.find(name, end)
    return False


def rebound(func: ast.FunctionDef | ast.AsyncFunctionDef, names: frozenset[str]) -> frozenset[str]:
    """The ``names`` that ``func`` binds as locals: parameters (but not `open=open`, which
    keeps the builtin under a local name), assignment, `for`, `with ... as`, `except ... as`
    and `import ... as` targets, and nested definitions; not names it declares `global` or
    `nonlocal` (those are the module's or the enclosing function's)."""
    if not names:
        return frozenset()
    bound: set[str] = set()
    args = func.args
    positional = [*args.posonlyargs, *args.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults))
    defaults += args.defaults
    params = [
        *zip(positional, defaults, strict=True),
        *zip(args.kwonlyargs, args.kw_defaults, strict=True),
    ]
    for arg, default in params:
        if arg.arg in names and not (isinstance(default, ast.Name) and default.id == arg.arg):
            bound.add(arg.arg)
    for star in (args.vararg, args.kwarg):
        if star is not None and star.arg in names:
            bound.add(star.arg)
    declared: set[str] = set()
    stack: list[ast.AST] = list(func.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Global, ast.Nonlocal)):
            declared.update(node.names)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            bound.add(node.id)
        elif isinstance(node, ast.alias):
            bound.add(node.asname or node.name.split(".")[0])
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
        if isinstance(node, _SCOPES):
            if not isinstance(node, ast.Lambda):
                bound.add(node.name)
                # A nested definition's decorators and defaults run here; its body does not.
                stack.extend(node.decorator_list)
                if not isinstance(node, ast.ClassDef):
                    stack.extend(d for d in (*node.args.defaults, *node.args.kw_defaults) if d)
            continue
        if isinstance(node, _COMPREHENSIONS):
            continue  # their targets are their own
        stack.extend(children(node))
    return frozenset(bound & names - declared)


def _keyword_before(line: str, start: int) -> bool:
    """`def open`, `as open`: a keyword that binds the name right before it."""
    head = line[:start]
    return head.rstrip().endswith(_KEYWORDS) and _KEYWORD_BEFORE.search(head) is not None
