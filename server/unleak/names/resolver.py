"""Name resolution through imports and aliases: `import sqlite3 as db` makes `db.connect`
resolve to `sqlite3.connect`."""

from __future__ import annotations

import ast
import bisect
import builtins
import copy
import re

from unleak.catalogue import FACTORIES
from unleak.source.facts import StatementFacts, fact

_BUILTINS = frozenset(dir(builtins))
# The classes among the catalogue's factories of plain (one-word) modules, by module:
# `m.C(...)` can reach them through an object that holds the module
# (`execmodel.socket.socket(...)`, `self.subprocess.Popen(...)`). A class (capitalised, or
# the module's namesake) only: an object's `io.open()` or `db.connect()` is as likely a
# method of some object of the project's.
_MODULE_FACTORIES: dict[str, frozenset[str]] = {}
for _qual in FACTORIES:
    _module, _, _member = _qual.partition(".")
    if (
        _member
        and "." not in _member
        and _module != "builtins"
        and (_member[0].isupper() or _member == _module)
    ):
        _MODULE_FACTORIES[_module] = _MODULE_FACTORIES.get(_module, frozenset()) | {_member}
# A line that may bind a name to an object's attribute of the same name (`socket =
# execmodel.socket`): the statements holding one are looked at like nested imports.
MODULE_ALIAS_LINE = re.compile(r"^[ \t]+(\w+)[ \t]*=[ \t]*\w[\w.]*\.\1[ \t]*(?:#.*)?$", re.M)
# The same in two steps, for a whole module: the right-hand side first (the regex engine
# skips ahead to each `=`), then the line's start; trying the pattern above at every
# indented line costs six times as much.
_ALIAS_VALUE = re.compile(r"=[ \t]*\w[\w.]*\.(\w+)[ \t]*(?:#.*)?$", re.M)
_ALIAS_TARGET = re.compile(r"[ \t]+(\w+)[ \t]*")


def module_alias_lines(text: str) -> list[int]:
    """The lines (1-based, ascending) that `MODULE_ALIAS_LINE` matches in ``text``."""
    found: list[int] = []
    line, last = 1, 0
    for m in _ALIAS_VALUE.finditer(text):
        start = m.start()
        target = _ALIAS_TARGET.fullmatch(text, text.rfind("\n", 0, start) + 1, start)
        if target is None or target.group(1) != m.group(1):
            continue
        line += text.count("\n", last, start)
        last = start
        found.append(line)
    return found


class NameResolver:
    """Maps expressions to dotted qualified names using the module's import statements."""

    # Names a function binds itself, which therefore name none of the module's imports or
    # builtins in it (see `shadowing`).
    shadowed: frozenset[str] = frozenset()

    def __init__(
        self,
        tree: ast.Module,
        module_name: str = "",
        nested_import_lines: list[int] | None = None,
        is_package: bool = False,
        facts: StatementFacts | None = None,
    ) -> None:
        """``facts``: the imports nested in each top-level statement, kept from an earlier
        version of the module."""
        self.imports: dict[str, str] = {}
        self.module_name = module_name
        # A package's `__init__` is the package: `from . import x` is relative to itself.
        self.is_package = is_package
        # Modules imported, in full (`import a.b` uses `a.b`; `from a.b import c` too), and
        # those whose names `from m import *` brings in: what the project index links.
        self.uses: set[str] = set()
        self.stars: list[str] = []
        # Names bound at module level by something other than an import shadow builtins.
        self.module_defs: set[str] = set()
        # Local names bound to an object's attribute named like a module, by that name
        # (`socket = execmodel.socket`): see `_through_object`.
        self.module_attrs: set[str] = set()
        for node in _import_statements(tree, nested_import_lines, facts):
            if isinstance(node, ast.Assign):
                self.module_attrs.update(module_alias_names(node))
                continue
            if isinstance(node, ast.Import):
                for alias in node.names:
                    self.uses.add(alias.name)
                    if alias.asname:
                        self.imports[alias.asname] = alias.name
                    else:
                        top = alias.name.split(".")[0]
                        self.imports[top] = top
            elif isinstance(node, ast.ImportFrom):
                base = self._absolute(node.module or "", node.level)
                if base:
                    self.uses.add(base)
                for alias in node.names:
                    if alias.name == "*":
                        if base:
                            self.stars.append(base)
                        continue
                    local = alias.asname or alias.name
                    self.imports[local] = f"{base}.{alias.name}" if base else alias.name
        for stmt in tree.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self.module_defs.add(stmt.name)
            elif isinstance(stmt, ast.Assign):
                dynamic = _dynamic_import(stmt.value)
                for target in stmt.targets:
                    if isinstance(target, ast.Name):
                        if dynamic is not None and target.id not in self.imports:
                            # `gzip = importlib.import_module("gzip")` is an import.
                            self.imports[target.id] = dynamic
                        else:
                            self.module_defs.add(target.id)

    def _absolute(self, module: str, level: int) -> str:
        if level == 0 or not self.module_name:
            return module
        parts = self.module_name.split(".")
        if self.is_package:
            level -= 1
        base = parts[: max(len(parts) - level, 0)]
        if module:
            base.append(module)
        return ".".join(base)

    def uncast(self, expr: ast.expr) -> ast.expr:
        """`typing.cast(T, x)` is `x` (cast returns its argument); any other expression is
        itself."""
        if (
            isinstance(expr, ast.Call)
            and len(expr.args) == 2
            and not expr.keywords
            and self.qualify(expr.func) == "typing.cast"
        ):
            return expr.args[1]
        return expr

    def may_qualify_to(self, names: frozenset[str]) -> bool:
        """Whether `qualify` can give one of ``names`` for some expression: only when an
        import, a module-level definition or a builtin is one of them or a dotted prefix of
        one (lets a check skip walking for calls of names the module cannot spell)."""
        if any(_through_objects(name) for name in names):
            return True  # a module reached through an object (see `_through_object`)
        prefixes = {name[:i] for name in names for i in _dots(name)}
        if any(p == "builtins" or p.startswith("builtins.") for p in prefixes):
            return True
        if any(target in prefixes for target in self.imports.values()):
            return True
        module = f"{self.module_name}." if self.module_name else ""
        # Each prefix looked up among the definitions (a few prefixes, and as many
        # definitions as the module has: 25,000 in a large one, at every partial analysis).
        return any(
            p.startswith(module) and p[len(module) :] in self.module_defs for p in prefixes
        )

    def shadowing(self, names: frozenset[str]) -> NameResolver:
        """This resolver inside a function that binds ``names`` itself (`open = ...`): they
        resolve to nothing there. The tables are shared, not copied."""
        if not names:
            return self
        local = copy.copy(self)
        local.shadowed = self.shadowed | names
        return local

    def qualify(self, expr: ast.expr) -> str | None:
        """The dotted name an expression refers to, or None when it is not a plain name."""
        if isinstance(expr, ast.Name):
            name = expr.id
            if name in self.shadowed:
                return None
            if name in self.imports:
                return self.imports[name]
            if name in self.module_defs:
                return f"{self.module_name}.{name}" if self.module_name else name
            if name in _BUILTINS:
                return f"builtins.{name}"
            return None
        if isinstance(expr, ast.Attribute):
            base = self.qualify(expr.value)
            return f"{base}.{expr.attr}" if base else self._through_object(expr)
        return None

    def _through_object(self, expr: ast.Attribute) -> str | None:
        """`obj.socket.socket`, or `socket.socket` after `socket = obj.socket`: a module
        reached through an object (an exec model's `socket` property returning the `socket`
        module or a green drop-in of it, a class keeping `subprocess` to patch it in
        tests). Only a whole call of one of the catalogue's factories of that module
        counts: an attribute named like a module whose member is named like the module's
        constructor is the module or a drop-in with its API, while `obj.socket` alone may
        well be a socket (`self.socket.close()` stays a method call)."""
        inner = expr.value
        if isinstance(inner, ast.Attribute):
            module = inner.attr
        elif isinstance(inner, ast.Name) and inner.id in self.module_attrs:
            module = inner.id
        else:
            return None
        qual = f"{module}.{expr.attr}"
        return qual if _through_objects(qual) else None


def _through_objects(qual: str) -> bool:
    """Whether ``qual`` is a module's class a call can reach through an object."""
    module, _, member = qual.partition(".")
    return member in _MODULE_FACTORIES.get(module, ())


def _dots(name: str) -> list[int]:
    """The ends of ``name``'s dotted prefixes, the whole name last."""
    return [i for i, c in enumerate(name) if c == "."] + [len(name)]


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_COMPOUND = (
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.If,
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.With,
    ast.AsyncWith,
    ast.Try,
    ast.Match,
) + ((ast.TryStar,) if hasattr(ast, "TryStar") else ())


# The last few answers, by body and `nested` (the body is kept with its answer, so that its
# id is not reused while the entry lives): a function's summary and analysis list its
# statements several times in a row (whether it is a generator, what it returns, ...).
_RECENT: dict[tuple[int, bool], tuple[list[ast.stmt], list[ast.stmt]]] = {}
_RECENT_MAX = 8


def iter_statements(body: list[ast.stmt], nested: bool = True) -> list[ast.stmt]:
    """Every statement under `body` without visiting expressions; with `nested=False`, the
    bodies of nested functions and classes are not entered (their headers are listed).
    The list may be shared: do not change it."""
    key = (id(body), nested)
    recent = _RECENT.get(key)
    if recent is not None and recent[0] is body:
        return recent[1]
    out = _statements(body, nested)
    if len(_RECENT) >= _RECENT_MAX:
        del _RECENT[next(iter(_RECENT))]
    _RECENT[key] = (body, out)
    return out


def _statements(body: list[ast.stmt], nested: bool) -> list[ast.stmt]:
    out: list[ast.stmt] = []
    stack = list(reversed(body))
    while stack:
        stmt = stack.pop()
        out.append(stmt)
        if not isinstance(stmt, _COMPOUND) or (not nested and isinstance(stmt, _SCOPES)):
            continue
        for name in ("body", "orelse", "finalbody"):
            sub = getattr(stmt, name, None)
            if sub:
                stack.extend(reversed(sub))
        for handler in getattr(stmt, "handlers", ()):
            stack.extend(reversed(handler.body))
        for case in getattr(stmt, "cases", ()):
            stack.extend(reversed(case.body))
    return out


def _import_statements(
    tree: ast.Module, nested_lines: list[int] | None, facts: StatementFacts | None = None
) -> list[ast.stmt]:
    """Module-level imports, and imports nested in the statements that have any
    (``nested_lines``: sorted)."""
    out: list[ast.stmt] = []
    for stmt in tree.body:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            out.append(stmt)
        elif isinstance(stmt, _COMPOUND):
            if nested_lines is not None:
                i = bisect.bisect_left(nested_lines, stmt.lineno)
                if i == len(nested_lines) or nested_lines[i] > (stmt.end_lineno or stmt.lineno):
                    continue
            per_member = (
                facts.members(stmt, "imports", _nested_imports)
                if facts is not None and isinstance(stmt, ast.ClassDef)
                else None
            )
            if per_member is not None:  # a class's are its members', in order
                out.extend(s for found in per_member for s in found)
            else:
                out.extend(fact(facts, stmt, "imports", _nested_imports))
    return out


def _nested_imports(stmt: ast.AST) -> list[ast.stmt]:
    """Imports, and assignments of an object's module-named attribute (`socket =
    execmodel.socket`), which bind a module too."""
    assert isinstance(stmt, ast.stmt)
    return [
        s
        for s in iter_statements([stmt])
        if isinstance(s, (ast.Import, ast.ImportFrom))
        or (isinstance(s, ast.Assign) and module_alias_names(s))
    ]


def module_alias_names(stmt: ast.Assign) -> list[str]:
    """`socket = execmodel.socket`: the name, bound to an attribute of the same name that
    names a module with factories."""
    value = stmt.value
    if not isinstance(value, ast.Attribute) or value.attr not in _MODULE_FACTORIES:
        return []
    return [t.id for t in stmt.targets if isinstance(t, ast.Name) and t.id == value.attr]


def _dynamic_import(value: ast.expr) -> str | None:
    """The module named by `import_module("x")`-style calls (importlib, test helpers)."""
    if not (isinstance(value, ast.Call) and value.args):
        return None
    func = value.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    first = value.args[0]
    if name in ("import_module", "import_deprecated", "__import__") and isinstance(
        first, ast.Constant
    ):
        return first.value if isinstance(first.value, str) else None
    return None


def statement_call(stmt: ast.AST) -> ast.Call | None:
    """The call a statement consists of (`f.close()`, `await w.wait_closed()`), if any."""
    value = stmt.value if isinstance(stmt, ast.Expr) else None
    if isinstance(value, ast.Await):
        value = value.value
    return value if isinstance(value, ast.Call) else None
