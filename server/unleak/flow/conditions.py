"""Path conditions: simple facts a path has established (`close_source` is true, `file == '-'`
is false), so that a later test of the same condition takes only the consistent branch.

This is what lets `if close_source: source.close()` release exactly the file opened where
`close_source = True` was set, without reporting the impossible path in between.
"""

from __future__ import annotations

import ast

from unleak.names.text import expr_text

Atom = str
Fact = tuple[Atom, bool]
_PURE_CALLS = frozenset({"isinstance", "hasattr", "callable"})
# Predicates of the path module: a file's kind does not change between two tests of it.
_PATH_PREDICATES = frozenset({"exists", "isfile", "isdir", "islink", "isabs", "ismount"})
_PREDICATE_PREFIXES = ("is", "has", "_is", "_has")
MAX_FACTS = 6


def _simple(e: ast.expr) -> bool:
    while isinstance(e, ast.Attribute):
        e = e.value
    return isinstance(e, (ast.Name, ast.Constant))


def _names(e: ast.AST) -> frozenset[str]:
    return frozenset(n.id for n in ast.walk(e) if isinstance(n, ast.Name))


def atom_of(test: ast.expr) -> tuple[Atom, bool, frozenset[str]] | None:
    """The atom a test checks, its polarity, and the names it depends on."""
    negated = False
    while isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        # A loop, not recursion: `not not ... x` may be nested thousands deep.
        test, negated = test.operand, not negated
    atom = _positive_atom(test)
    return (atom[0], atom[1] != negated, atom[2]) if atom is not None else None


def _positive_atom(test: ast.expr) -> tuple[Atom, bool, frozenset[str]] | None:
    if isinstance(test, (ast.Name, ast.Attribute)) and _simple(test):
        return expr_text(test), True, _names(test)
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        left, right, op = test.left, test.comparators[0], test.ops[0]
        if not (_simple(left) and _simple(right)):
            return None
        pairs = {
            ast.Eq: ("==", True),
            ast.NotEq: ("==", False),
            ast.Is: ("is", True),
            ast.IsNot: ("is", False),
        }
        for cls, (sym, pol) in pairs.items():
            if isinstance(op, cls):
                return f"{expr_text(left)} {sym} {expr_text(right)}", pol, _names(test)
        return None
    if (
        isinstance(test, ast.Call)
        and _is_predicate(test.func)
        and all(_simple(a) for a in test.args)
        and not test.keywords
    ):
        return expr_text(test), True, _names(test)
    return None


def _is_predicate(func: ast.expr) -> bool:
    """A call whose result a second test on the same arguments repeats: the pure builtins, the
    path module's predicates, and a module function named as a query (`isfilelike(p)`,
    `has_header(p)`). A method is not one: `self.is_open()` follows the object's state."""
    if isinstance(func, ast.Name):
        name = func.id
        return name in _PURE_CALLS or (
            name.startswith(_PREDICATE_PREFIXES) and name not in ("is_", "has_")
        )
    return (
        isinstance(func, ast.Attribute)
        and func.attr in _PATH_PREDICATES
        and expr_text(func.value) in ("os.path", "path", "posixpath", "ntpath")
    )


def edge_facts(test: ast.expr, polarity: bool, names: dict[Atom, frozenset[str]]) -> list[Fact]:
    """Facts known on the edge where `test` evaluated to `polarity`."""
    if isinstance(test, ast.BoolOp):
        if isinstance(test.op, ast.And) == polarity:
            out: list[Fact] = []
            for v in test.values:
                out += edge_facts(v, polarity, names)
            return out
        return []
    atom = atom_of(test)
    if atom is None:
        return []
    text, pol, deps = atom
    names[text] = deps
    return [(text, pol == polarity)]


def assignment_facts(
    stmt: ast.AST, names: dict[Atom, frozenset[str]]
) -> tuple[frozenset[str], tuple[Fact, ...]]:
    """Names a statement rebinds, and facts it establishes (`flag = True`)."""
    killed: set[str] = set()
    facts: list[Fact] = []
    if isinstance(stmt, ast.Assign):
        for target in stmt.targets:
            if isinstance(target, ast.Name):
                killed.add(target.id)
                if isinstance(stmt.value, ast.Constant):
                    names[target.id] = frozenset({target.id})
                    facts.append((target.id, bool(stmt.value.value)))
            elif isinstance(target, (ast.Tuple, ast.List)):
                killed |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    elif isinstance(stmt, (ast.AugAssign, ast.AnnAssign, ast.For, ast.AsyncFor)):
        killed |= {n.id for n in ast.walk(stmt.target) if isinstance(n, ast.Name)}
    elif isinstance(stmt, ast.withitem) and stmt.optional_vars is not None:
        killed |= {n.id for n in ast.walk(stmt.optional_vars) if isinstance(n, ast.Name)}
    elif isinstance(stmt, ast.ExceptHandler) and stmt.name:
        killed.add(stmt.name)
    elif isinstance(stmt, (ast.Delete,)):
        killed |= {n.id for t in stmt.targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    value = getattr(stmt, "value", None)
    if isinstance(value, ast.NamedExpr):
        killed.add(value.target.id)
    return frozenset(killed), tuple(facts)


def combine(
    facts: frozenset[Fact],
    killed: frozenset[str],
    new: tuple[Fact, ...] | list[Fact],
    names: dict[Atom, frozenset[str]],
) -> frozenset[Fact] | None:
    """Facts after a step; None when `new` contradicts what the path already knows."""
    if killed:
        facts = frozenset(f for f in facts if not (names.get(f[0], frozenset()) & killed))
    for atom, pol in new:
        if (atom, not pol) in facts:
            return None
    if not new:
        return facts
    merged = facts | frozenset(new)
    return merged if len(merged) <= MAX_FACTS else facts


def unevaluated_or_holds(test: ast.expr, polarity: bool) -> ast.expr | None:
    """The operand of a short-circuit test that, where `test` evaluated to `polarity`, either
    was never evaluated or evaluated to `polarity` too: the last operand of a false `and`
    (`items and lock.acquire(False)`) or of a true `or`. A fact that also holds when the
    operand did not run (a non-blocking acquire that did not acquire) follows from it."""
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And) != polarity:
        return test.values[-1]
    return None
