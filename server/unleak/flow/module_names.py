"""Which module-level names the module keeps for its whole life.

Module-level code is analysed like a function body, but a name that a function or class of
the module reads as a global (or declares `global`), that `__all__` exports, or that is spelled
as a constant (`CONN`) is the module's own: a resource bound to it lives as long as the module,
on purpose, and is handed on when bound. So is a name bound in the same statement as one of
those (`failures = x = {}`: the same object under a second name). Every other module-level
name is a local of the script: a resource bound to it must be released before the module's
code ends.
"""

from __future__ import annotations

import ast
import bisect
from collections.abc import Iterator

from unleak.source.facts import StatementFacts, fact
from unleak.source.text import whole_word
from unleak.source.walk import children, walk

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
# Module-level calls that make every global reachable by name.
_REFLECTIVE = frozenset({"globals", "vars", "locals", "exec", "eval"})


def module_owned_names(tree: ast.Module) -> frozenset[str] | None:
    """The module-level names the module owns; None when it cannot be told (the module
    reaches its globals by name: `globals()`, `exec`, a module `__getattr__`)."""
    owned: set[str] = set()
    for stmt in tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name in (
            "__getattr__",
            "__dir__",
        ):
            return None
    for node in _module_level_nodes(tree.body):
        if isinstance(node, _SCOPES):
            owned |= _globals_of(node, frozenset())
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in _REFLECTIVE
        ):
            return None
        elif isinstance(node, ast.Global):
            owned.update(node.names)
    owned |= exported_names(tree)
    owned |= {
        n.id
        for n in _module_level_nodes(tree.body)
        if isinstance(n, ast.Name) and _constant_name(n.id)
    }
    direct = frozenset(owned)
    for stmt in tree.body:
        group = _chained(stmt)
        if group & direct:
            owned |= group
    return frozenset(owned)


class OwnedNames:
    """`module_owned_names`, answered one name at a time: only the nested scopes whose text
    mentions the name are walked (most names a module binds are asked about, if ever, once).
    Build it with `owned_names`."""

    def __init__(
        self,
        known: set[str],
        scopes: list[ast.AST],
        text: str,
        chains: dict[str, frozenset[str]] | None = None,
    ) -> None:
        self._known = known  # `global` statements, `__all__`, constants
        # A name -> the other names a module-level statement binds with it (`a = b = {}`).
        self._chains = chains or {}
        self._scopes = sorted(scopes, key=_first_line)
        self._firsts = [_first_line(s) for s in self._scopes]
        self._text = text
        self._globals: dict[int, set[str]] = {}  # scope index -> its globals
        self._answers: dict[str, bool] = {}
        # A word is found on its line only if lines end with "\n" and identifiers are
        # ASCII (NFKC may make a name of other characters): otherwise walk every scope.
        lone_cr = text.count("\r") != text.count("\r\n")
        self._by_text = text.isascii() and not lone_cr

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        return self._owned(name) or any(self._owned(p) for p in self._chains.get(name, ()))

    def _owned(self, name: str) -> bool:
        if name in self._known:
            return True
        answer = self._answers.get(name)
        if answer is None:
            answer = any(name in self._globals_of(i) for i in self._mentioning(name))
            self._answers[name] = answer
        return answer

    def _mentioning(self, name: str) -> Iterator[int]:
        """The indexes of the scopes whose lines mention ``name`` as a word."""
        if not self._by_text:
            yield from range(len(self._scopes))
            return
        text = self._text
        seen: set[int] = set()
        line, last = 1, 0
        for m in whole_word(name).finditer(text):
            line += text.count("\n", last, m.start())
            last = m.start()
            i = bisect.bisect_right(self._firsts, line) - 1
            # Module-level scopes do not nest: those before it end before it, or on its line.
            while i >= 0 and (getattr(self._scopes[i], "end_lineno", None) or 0) >= line:
                if i not in seen:
                    seen.add(i)
                    yield i
                i -= 1

    def _globals_of(self, index: int) -> set[str]:
        found = self._globals.get(index)
        if found is None:
            found = self._globals[index] = _globals_of(self._scopes[index], frozenset())
        return found


def owned_names(
    tree: ast.Module, text: str, facts: StatementFacts | None = None
) -> OwnedNames | None:
    """The module-level names the module owns, as `module_owned_names` gives them (``text``:
    the module's source); None when it cannot be told. ``facts``: each top-level statement's
    part, kept while its tree is (an editor's next version walks only what changed)."""
    for stmt in tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name in (
            "__getattr__",
            "__dir__",
        ):
            return None
    known: set[str] = set()
    scopes: list[ast.AST] = []
    chains: dict[str, frozenset[str]] = {}
    for stmt in tree.body:
        part = fact(facts, stmt, "owned names", _statement_owned)
        if part is None:
            return None
        scopes.extend(part[0])
        known |= part[1]
        group = _chained(stmt)
        for name in group:
            chains[name] = chains.get(name, frozenset()) | (group - {name})
    known |= exported_names(tree)
    return OwnedNames(known, scopes, text, chains)


def _chained(stmt: ast.stmt) -> frozenset[str]:
    """The names a chained assignment binds to one object (`registered = d = {}`); empty
    unless it binds two or more."""
    if not isinstance(stmt, ast.Assign) or len(stmt.targets) < 2:
        return frozenset()
    names = frozenset(t.id for t in stmt.targets if isinstance(t, ast.Name))
    return names if len(names) > 1 else frozenset()


def _statement_owned(stmt: ast.AST) -> tuple[tuple[ast.AST, ...], frozenset[str]] | None:
    """What one top-level statement adds to `owned_names`: the scopes in it (not their
    insides), and the names its module-level code declares `global` or spells as constants;
    None when it reaches the module's globals by name."""
    known: set[str] = set()
    scopes: list[ast.AST] = []
    for node in _module_level_nodes([stmt]):  # type: ignore[list-item]
        if isinstance(node, _SCOPES):
            scopes.append(node)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in _REFLECTIVE
        ):
            return None
        elif isinstance(node, ast.Global):
            known.update(node.names)
        elif isinstance(node, ast.Name) and _constant_name(node.id):
            known.add(node.id)
    return tuple(scopes), frozenset(known)


def _first_line(scope: ast.AST) -> int:
    """The first line of a scope's text: its first decorator's, or its own."""
    decorators = getattr(scope, "decorator_list", None)
    first: int = getattr(scope, "lineno", 1)
    return min([first, *(d.lineno for d in decorators)]) if decorators else first


def _constant_name(name: str) -> bool:
    letters = name.strip("_")
    return len(letters) > 1 and letters.isupper()


def _module_level_nodes(body: list[ast.stmt]) -> Iterator[ast.AST]:
    """Every node run at module level, and the nested scopes themselves (not their insides)."""
    stack: list[ast.AST] = list(reversed(body))
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, _SCOPES):
            continue
        stack.extend(reversed(list(children(node))))


def exported_names(tree: ast.Module) -> set[str]:
    """The names a literal `__all__` of the module lists."""
    out: set[str] = set()
    for stmt in tree.body:
        targets = (
            stmt.targets
            if isinstance(stmt, ast.Assign)
            else [stmt.target]
            if isinstance(stmt, (ast.AugAssign, ast.AnnAssign))
            else []
        )
        value = getattr(stmt, "value", None)
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets) and isinstance(
            value, (ast.List, ast.Tuple)
        ):
            out |= {
                e.value
                for e in value.elts
                if isinstance(e, ast.Constant) and isinstance(e.value, str)
            }
    return out


def scope_globals(scope: ast.AST) -> frozenset[str]:
    """The module-level names a definition (a function, a method, a class) reads or writes
    as globals: those `module_owned_names` takes from it."""
    return frozenset(_globals_of(scope, frozenset()))


def _globals_of(scope: ast.AST, enclosing: frozenset[str]) -> set[str]:
    """The names a nested scope (and the scopes in it) reads or writes as globals."""
    if isinstance(scope, ast.ClassDef):
        heads: list[ast.AST] = [*scope.decorator_list, *scope.bases, *scope.keywords]
        out = set().union(*(_free_loads(h) for h in heads)) if heads else set()
        return out | _body_globals(list(scope.body), (), enclosing, is_class=True)
    assert isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
    args = scope.args
    heads = [*args.defaults, *(d for d in args.kw_defaults if d is not None)]
    if not isinstance(scope, ast.Lambda):
        heads += scope.decorator_list
        heads += [a.annotation for a in _all_args(args) if a.annotation is not None]
        if scope.returns is not None:
            heads.append(scope.returns)
    out = set().union(*(_free_loads(h) for h in heads)) if heads else set()
    params = tuple(a.arg for a in _all_args(args))
    body: list[ast.AST] = [scope.body] if isinstance(scope, ast.Lambda) else list(scope.body)
    return out | _body_globals(body, params, enclosing)


def _all_args(args: ast.arguments) -> list[ast.arg]:
    found = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
    return [a for a in found if a is not None]


def _free_loads(node: ast.AST) -> set[str]:
    return {n.id for n in walk(node) if isinstance(n, ast.Name)}


def _body_globals(
    body: list[ast.AST], params: tuple[str, ...], enclosing: frozenset[str], is_class: bool = False
) -> set[str]:
    declared: set[str] = set()
    stores: set[str] = set(params)
    loads: set[str] = set()
    nested: list[ast.AST] = []
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, _SCOPES):
            nested.append(node)
            if not isinstance(node, ast.Lambda):
                stores.add(node.name)
            continue
        if isinstance(node, ast.Global):
            declared.update(node.names)
        elif isinstance(node, ast.Name):
            (loads if isinstance(node.ctx, ast.Load) else stores).add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            stores |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, ast.ExceptHandler) and node.name:
            stores.add(node.name)
        stack.extend(children(node))
    local = frozenset(stores - declared)
    out = declared | (loads - local - enclosing)
    # A class body's names are not seen by its methods: they see the enclosing scopes.
    inner = enclosing if is_class else enclosing | local
    for scope in nested:
        out |= _globals_of(scope, inner)
    return out
