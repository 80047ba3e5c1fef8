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
_KEYWORD_BEFORE = re.compile(r"\b(?:def|class|as|for|import)[ \t]+$")


def rebinding_lines(text: str, names: Iterable[str]) -> list[int]:
    """The lines (1-based, ascending) where ``text`` (a module's source) may bind one of
    ``names``: after `def`, `class`, `as`, `for` or `import`, or before `=`, `:`, `,` or `)`
    (an assignment, a parameter, a tuple target). Only a function spanning one of them can
    bind the name: a module that merely calls `open(...)` needs no walk of its functions."""
    found: set[int] = set()
    for name in names:
        line, last = 1, 0
        # The literal first (the regex engine skips ahead to it), what is before it after.
        for m in re.finditer(rf"{re.escape(name)}\b", text):
            start = m.start()
            if start and (
                text[start - 1] == "."
                or text[start - 1].isidentifier()
                or text[start - 1].isdigit()
            ):
                continue  # an attribute (`webbrowser.open`) or a longer name (`reopen`)
            if not (
                _BINDS_AFTER.match(text, m.end())
                or _KEYWORD_BEFORE.search(text, max(0, start - 40), start)
            ):
                continue
            line += text.count("\n", last, start)
            last = start
            found.add(line)
    return sorted(found)


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
