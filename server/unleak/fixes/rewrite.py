"""Shared helpers for fix builders: locating statements in their block, checking how a name
is used, re-indenting lines exactly, fresh names, and inserting imports."""

from __future__ import annotations

import ast
import io
import re
import sys
import tokenize
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass

from unleak.findings.model import Edit
from unleak.source.spans import Span
from unleak.source.text import SourceText
from unleak.source.walk import children, walk

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


@dataclass
class Lines:
    """The analysed text as lines, with the file's newline and indentation unit."""

    source: SourceText
    newline: str
    unit: str

    @classmethod
    def of(cls, source: SourceText) -> Lines:
        text = source.text
        newline = "\r\n" if "\r\n" in text else "\r" if "\r" in text and "\n" not in text else "\n"
        return cls(source, newline, _indent_unit(source.lines))

    def text(self, line: int) -> str:
        return self.source.line_text(line)

    def indent(self, line: int) -> str:
        t = self.text(line)
        return t[: len(t) - len(t.lstrip())]

    def replace_lines(self, first: int, last: int, new_lines: list[str]) -> Edit:
        """An edit replacing whole lines first..last (their newlines are kept)."""
        end = len(self.text(last))
        return Edit(Span(first, 0, last, end), self.newline.join(new_lines))

    def insert_after(self, line: int, new_lines: list[str]) -> Edit:
        count = len(self.source.lines)
        block = self.newline.join(new_lines)
        if line == 0:
            return Edit(Span(1, 0, 1, 0), block + self.newline)
        if line < count:
            return Edit(Span(line + 1, 0, line + 1, 0), block + self.newline)
        end = len(self.text(line))
        return Edit(Span(line, end, line, end), self.newline + block)

    def segment(self, node: ast.AST) -> str:
        """The exact source text of a node (code-point columns)."""
        span = self.source.span(node)
        return self.between(span)

    def between(self, span: Span) -> str:
        if span.line == span.end_line:
            return self.text(span.line)[span.column : span.end_column]
        parts = [self.text(span.line)[span.column :]]
        parts += [self.text(n) for n in range(span.line + 1, span.end_line)]
        parts.append(self.text(span.end_line)[: span.end_column])
        return self.newline.join(parts)

    def reindented(
        self, first: int, last: int, extra: str, keep: frozenset[int] = frozenset()
    ) -> list[str]:
        """Lines first..last with `extra` indentation added (blank lines stay blank, and so do
        the lines in `keep`: those that start inside a string, see `string_lines`)."""
        return [
            extra + t if t.strip() and n not in keep else t
            for n, t in ((n, self.text(n)) for n in range(first, last + 1))
        ]

    def blank_lines_from(self, first: int, last: int) -> int:
        """How many of the lines first..last, from the first on, are blank."""
        n = first
        while n <= last and not self.text(n).strip():
            n += 1
        return n - first

    def trailing_comment(self, node: ast.stmt) -> str:
        """A `# comment` after the statement on its last line, with its spacing."""
        span = self.source.span(node)
        rest = self.text(span.end_line)[span.end_column :]
        return rest.rstrip() if rest.strip().startswith("#") else ""


def lines_of(module: object) -> Lines:
    """The module's `Lines`, computed once per analysis."""
    cached = module.__dict__.get("_fix_lines")
    if cached is None:
        cached = Lines.of(module.source)  # type: ignore[attr-defined]
        module.__dict__["_fix_lines"] = cached
    return cached  # type: ignore[no-any-return]


def _indent_unit(lines: list[str]) -> str:
    """The file's indentation step: how much a block opened by `:` is indented (the most
    common step; continuation lines aligned with brackets do not count), or a tab."""
    steps: dict[int, int] = {}
    opener: int | None = None
    for line in lines:
        stripped = line.lstrip(" \t")
        if not stripped or stripped.startswith("#"):
            continue
        indent = line[: len(line) - len(stripped)]
        if opener is not None:
            if indent.startswith("\t"):
                return "\t"
            if len(indent) > opener:
                steps[len(indent) - opener] = steps.get(len(indent) - opener, 0) + 1
        code = stripped.split("#", 1)[0].rstrip()
        opener = len(indent) if code.endswith(":") else None
    if not steps:
        return "    "
    return " " * max(steps, key=lambda k: (steps[k], -k))


def own_line(lines: Lines, stmt: ast.stmt) -> bool:
    """The statement starts its line and nothing else follows it on its last line."""
    span = lines.source.span(stmt)
    head = lines.text(span.line)[: span.column]
    tail = lines.text(span.end_line)[span.end_column :].strip()
    return not head.strip() and (not tail or tail.startswith("#"))


def find_block(body: list[ast.stmt], target: ast.stmt) -> tuple[list[ast.stmt], int] | None:
    """The statement list that directly holds `target`, and its index there."""
    for i in _candidates(body, target.lineno):
        stmt = body[i]
        if stmt is target:
            return body, i
        if isinstance(stmt, _SCOPES):
            continue
        for sub in sub_blocks(stmt):
            found = find_block(sub, target)
            if found is not None:
                return found
    return None


_STARTS: list[tuple[list[ast.stmt], list[int]]] = []


def _candidates(body: list[ast.stmt], line: int) -> list[int]:
    """The indexes of the statements of ``body`` that may hold ``line``, in order: all of a
    short list; in a long one (a script's), those found by line."""
    if len(body) < 32:
        return list(range(len(body)))
    starts = next((found for cached, found in _STARTS if cached is body), None)
    if starts is None:
        starts = [s.lineno for s in body]
        _STARTS[:] = [(body, starts)]
    out: list[int] = []
    k = bisect_right(starts, line) - 1
    while k >= 0 and (body[k].end_lineno or body[k].lineno) >= line:
        out.append(k)
        k -= 1
    return out[::-1]


def sub_blocks(stmt: ast.stmt) -> Iterator[list[ast.stmt]]:
    """The statement lists directly inside ``stmt`` (bodies, branches, handlers, cases)."""
    for name in ("body", "orelse", "finalbody"):
        block = getattr(stmt, name, None)
        if block and isinstance(block, list) and isinstance(block[0], ast.stmt):
            yield block
    for handler in getattr(stmt, "handlers", ()):
        yield handler.body
    for case in getattr(stmt, "cases", ()):
        yield case.body


def statement_of(body: list[ast.stmt], node: ast.AST) -> ast.stmt | None:
    """The innermost statement (not entering nested scopes) that contains `node`."""
    for i in _candidates(body, getattr(node, "lineno", 0)):
        stmt = body[i]
        if not _contains(stmt, node):
            continue
        if isinstance(stmt, _SCOPES):
            return None
        for sub in sub_blocks(stmt):
            inner = statement_of(sub, node)
            if inner is not None:
                return inner
        return stmt
    return None


def _contains(stmt: ast.AST, node: ast.AST) -> bool:
    first, last = stmt.lineno, stmt.end_lineno or stmt.lineno  # type: ignore[attr-defined]
    line = getattr(node, "lineno", 0)
    return first <= line <= last and any(n is node for n in walk(stmt))


def name_uses(scope: ast.AST, name: str) -> list[ast.Name]:
    """Every use of ``name`` in ``scope``. In a module, the module-level code's only: a name
    there with a finding is read by no function (flow/module_names.py), so a function's name
    alike is its own local; looked up in an index built once, not by a walk per fix."""
    if isinstance(scope, ast.Module):
        return list(_module_level_names(scope).get(name, ()))
    return [n for n in walk(scope) if isinstance(n, ast.Name) and n.id == name]


_MODULE_NAMES: list[tuple[ast.Module, dict[str, list[ast.Name]]]] = []


def _module_level_names(tree: ast.Module) -> dict[str, list[ast.Name]]:
    for cached, found in _MODULE_NAMES:
        if cached is tree:
            return found
    index: dict[str, list[ast.Name]] = {}
    stack: list[ast.AST] = list(reversed(tree.body))
    while stack:
        node = stack.pop()
        if isinstance(node, _SCOPES):
            continue
        if isinstance(node, ast.Name):
            index.setdefault(node.id, []).append(node)
        stack.extend(reversed(list(children(node))))
    _MODULE_NAMES[:] = [(tree, index)]
    return index


def in_nested_scope(scope: ast.AST, name: str) -> bool:
    """Whether a nested function, class or lambda refers to `name` (in a module: none reads
    a module-level name with a finding, see `name_uses`)."""
    if isinstance(scope, ast.Module):
        return False
    # One walk, each node marked with whether it lies in a nested scope (a walk of each
    # nested scope would be quadratic in `lambda: lambda: ...`).
    stack = [(child, False) for child in children(scope)]
    while stack:
        node, nested = stack.pop()
        nested = nested or isinstance(node, _SCOPES)
        if nested and isinstance(node, ast.Name) and node.id == name:
            return True
        stack.extend((child, nested) for child in children(node))
    return False


def multiline_strings(stmts: list[ast.stmt]) -> bool:
    """Re-indenting would change a string literal that spans lines."""
    return any(True for _ in _multiline_string_nodes(stmts))


def _multiline_string_nodes(stmts: list[ast.stmt]) -> Iterator[ast.expr]:
    """The outermost string literals (implicit concatenations and f-strings whole) that span
    lines."""
    stack: list[ast.AST] = list(stmts)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.JoinedStr) or (
            isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes))
        ):
            if (node.end_lineno or node.lineno) > node.lineno:
                yield node
            continue
        stack.extend(children(node))


def string_lines(lines: Lines, stmts: list[ast.stmt]) -> frozenset[int] | None:
    """The lines of ``stmts`` that start inside a string token (a triple-quoted string's
    later lines, a backslash-continued string's): their leading whitespace is the string's
    content, so re-indenting must leave them as they are. The lines between the parts of an
    implicitly concatenated string are code and may move. None when a string's tokens
    cannot be read."""
    keep: set[int] = set()
    for node in _multiline_string_nodes(stmts):
        # In brackets, the literal's text tokenizes on its own, newlines and all.
        text = "(" + lines.between(lines.source.span(node)) + ")"
        inner: set[int] = set()  # lines of `text`, from 1
        depth, opened = 0, 0
        try:
            for tok in tokenize.generate_tokens(io.StringIO(text).readline):
                name = tokenize.tok_name[tok.type]
                if name == "FSTRING_START":  # Python 3.12+: an f-string is several tokens
                    depth += 1
                    opened = tok.start[0] if depth == 1 else opened
                elif name == "FSTRING_END":
                    depth -= 1
                    if depth == 0:
                        inner.update(range(opened + 1, tok.end[0] + 1))
                elif tok.type == tokenize.STRING and depth == 0:
                    inner.update(range(tok.start[0] + 1, tok.end[0] + 1))
        except (tokenize.TokenError, SyntaxError):
            return None
        keep |= {node.lineno + n - 1 for n in inner}
    return frozenset(keep)


def used_names(scope: ast.AST) -> set[str]:
    out = {n.id for n in walk(scope) if isinstance(n, ast.Name)}
    out |= {a.arg for a in walk(scope) if isinstance(a, ast.arg)}
    return out


def fresh_name(base: str, used: set[str]) -> str:
    if base not in used:
        return base
    n = 1
    while f"{base}_{n}" in used:
        n += 1
    return f"{base}_{n}"


_IMPORT_LINE = re.compile(r"^(import|from)\s")


def import_insertion_line(tree: ast.Module) -> int:
    """The line after which a new top-level import goes: after the leading imports (and
    the docstring and `from __future__` lines), 0 for the top of the file."""
    line = 0
    for i, stmt in enumerate(tree.body):
        if i == 0 and isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            line = stmt.end_lineno or stmt.lineno
            continue
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            line = stmt.end_lineno or stmt.lineno
            continue
        break
    return line


def sorted_import_line(tree: ast.Module, module: str) -> int:
    """The line after which `import module` (a standard library module) goes: after the last
    of the leading plain standard library imports whose name sorts before it (case-folded,
    as isort and ruff sort them), right above the first one when all sort after it, else
    where `import_insertion_line` says."""
    last = import_insertion_line(tree)
    after = 0
    for stmt in tree.body:
        end = stmt.end_lineno or stmt.lineno
        if end > last:
            break
        if not isinstance(stmt, ast.Import):
            continue
        name = stmt.names[0].name
        if name.partition(".")[0] not in sys.stdlib_module_names:
            continue
        if name.lower() > module.lower():
            return after or stmt.lineno - 1
        after = end
    return after or last


def bound_names(scope: ast.AST) -> set[str]:
    """Every name `scope` (and what it nests) binds: assignments, parameters, definitions,
    imports, `except ... as`, `global`/`nonlocal`."""
    out: set[str] = set()
    for n in walk(scope):
        if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load):
            out.add(n.id)
        elif isinstance(n, ast.arg):
            out.add(n.arg)
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.add(n.name)
        elif isinstance(n, (ast.Import, ast.ImportFrom)):
            out |= {(a.asname or a.name).partition(".")[0] for a in n.names}
        elif isinstance(n, ast.ExceptHandler) and n.name:
            out.add(n.name)
        elif isinstance(n, (ast.Global, ast.Nonlocal)):
            out.update(n.names)
    return out


def spelling(tree: ast.Module, qualname: str) -> tuple[str, str | None] | None:
    """How code anywhere in the module can name `qualname` (`contextlib.closing`), and the
    import line to add at module level for it (None if one is there): through a module-level
    import whose name nothing else binds, or a new `import` of a module name that is free
    everywhere. None when neither works."""
    module, _, attr = qualname.rpartition(".")
    top = _module_bindings(tree).imports
    bindings = _binding_counts(tree)

    def only_import(local: str, target: str) -> bool:
        # Bound once, by this import, at module level, and nowhere else.
        return top.get(local) == [target] and bindings.get(local, 0) == 1

    for local, targets in top.items():
        if targets == [qualname] and only_import(local, qualname):
            return local, None
    for local, targets in top.items():
        if targets == [module] and only_import(local, module):
            return f"{local}.{attr}", None
    if "." in module or _bound_otherwise(tree, module):
        return None
    return f"{module}.{attr}", f"import {module}"


def _bound_otherwise(tree: ast.Module, module: str) -> bool:
    """Whether anything binds the name `module` other than `import module` (a nested one
    binds the same module, harmlessly)."""
    return module in _module_bindings(tree).otherwise


def bound_names_of(n: ast.AST) -> list[str]:
    """The names one node binds (not counting imports)."""
    if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load):
        return [n.id]
    if isinstance(n, ast.arg):
        return [n.arg]
    if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [n.name]
    if isinstance(n, ast.ExceptHandler) and n.name:
        return [n.name]
    if isinstance(n, (ast.Global, ast.Nonlocal)):
        return list(n.names)
    return []


def _binding_counts(tree: ast.Module) -> dict[str, int]:
    return _module_bindings(tree).counts


@dataclass(frozen=True)
class _Bindings:
    counts: dict[str, int]  # name -> how many nodes bind it, imports included
    otherwise: frozenset[str]  # names bound other than by a plain `import name`
    # Local name -> what the module-level imports bind it to.
    imports: dict[str, list[str]]
    # Names a module-level `name = ...` binds.
    assigned: frozenset[str]


def module_assigned(tree: ast.Module) -> frozenset[str]:
    """The names plain module-level assignments (`name = ...`) bind: read off the module's
    statements (the walk of the whole tree for `_module_bindings` costs a thousand times
    more, and a task-keeping fix needs nothing else of it)."""
    found: _Bindings | None = tree.__dict__.get(_BINDINGS)
    if found is not None:
        return found.assigned
    return frozenset(_assigned(tree))


# Every fix of a module asks how its names are bound: one walk of the tree for all of them,
# kept on the tree (never restructured once parsed: an edited document gets a new one).
_BINDINGS = "_unleak_bindings"


def _module_bindings(tree: ast.Module) -> _Bindings:
    found: _Bindings | None = tree.__dict__.get(_BINDINGS)
    if found is not None:
        return found
    counts: dict[str, int] = {}
    otherwise: set[str] = set()
    for n in walk(tree):
        names: list[str] = []
        if isinstance(n, ast.Import):
            for a in n.names:
                local = a.asname or a.name.partition(".")[0]
                names.append(local)
                if a.asname is not None or "." in a.name:
                    otherwise.add(local)
        elif isinstance(n, ast.ImportFrom):
            names = [(a.asname or a.name).partition(".")[0] for a in n.names]
            otherwise.update(a.asname or a.name for a in n.names)
        else:
            names = bound_names_of(n)
            otherwise.update(names)
            if isinstance(n, (ast.Global, ast.Nonlocal)):
                continue  # they declare a name, not bind it: not counted
        for name in names:
            counts[name] = counts.get(name, 0) + 1
    top: dict[str, list[str]] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Import):
            for a in stmt.names:
                local = a.asname or a.name.partition(".")[0]
                top.setdefault(local, []).append(a.name if a.asname else local)
        elif isinstance(stmt, ast.ImportFrom) and not stmt.level and stmt.module:
            for a in stmt.names:
                top.setdefault(a.asname or a.name, []).append(f"{stmt.module}.{a.name}")
    found = _Bindings(counts, frozenset(otherwise), top, frozenset(_assigned(tree)))
    tree.__dict__[_BINDINGS] = found
    return found


def _assigned(tree: ast.Module) -> set[str]:
    return {
        t.id
        for stmt in tree.body
        if isinstance(stmt, ast.Assign)
        for t in stmt.targets
        if isinstance(t, ast.Name)
    }
