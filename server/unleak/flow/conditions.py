"""Path conditions: simple facts a path has established (`close_source` is true, `file == '-'`
is false), so that a later test of the same condition takes only the consistent branch.

This is what lets `if close_source: source.close()` release exactly the file opened where
`close_source = True` was set, without reporting the impossible path in between.
"""

from __future__ import annotations

import ast
import pathlib
import socket
from collections import Counter
from collections.abc import Callable, Iterable
from functools import lru_cache

from unleak.names.text import expr_text
from unleak.source.walk import walk

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
    return frozenset(n.id for n in walk(e) if isinstance(n, ast.Name))


def _atom_names(e: ast.expr) -> frozenset[str]:
    """What an atom depends on: its names, and an attribute's own text (`self.flag`), which
    a store to that attribute rebinds."""
    names = _names(e)
    return names | {expr_text(e)} if isinstance(e, ast.Attribute) else names


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
        return expr_text(test), True, _atom_names(test)
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
    while isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        test, polarity = test.operand, not polarity
    if isinstance(test, ast.BoolOp):
        if isinstance(test.op, ast.And) == polarity:
            out: list[Fact] = []
            for v in test.values:
                out += edge_facts(v, polarity, names)
            return out
        return _disjunction(test.values, polarity, names)
    atom = atom_of(test)
    if atom is None:
        return []
    text, pol, deps = atom
    names[text] = deps
    return [(text, pol == polarity)]


# A disjunction fact's atom: its members' facts, joined (no expression's text holds this).
_OR = "\x1f"


def _disjunction(
    values: list[ast.expr], polarity: bool, names: dict[Atom, frozenset[str]]
) -> list[Fact]:
    """A true `a or b` (a false `a and b`): at least one operand evaluated to ``polarity``. Kept
    as one fact (when each operand is an atom), so that later tests ruling out every operand
    (`if a:` false, then `if b:` false) contradict it."""
    members: list[str] = []
    deps: frozenset[str] = frozenset()
    for v in values:
        atom = atom_of(v)
        if atom is None:
            return []
        text, pol, atom_deps = atom
        names[text] = atom_deps
        deps |= atom_deps
        members.append(("+" if pol == polarity else "-") + text)
    disjunction = _OR + _OR.join(sorted(members))
    names[disjunction] = deps
    return [(disjunction, True)]


@lru_cache(maxsize=4096)
def disjuncts(atom: Atom) -> tuple[Fact, ...]:
    """The facts of which a disjunction fact says one holds; () for any other atom."""
    if not atom.startswith(_OR):
        return ()
    return tuple((m[1:], m[0] == "+") for m in atom[1:].split(_OR))


def _refuted(facts: frozenset[Fact]) -> bool:
    """Whether a disjunction the path holds has each of its operands contradicted."""
    return any(
        pol and all((a, not p) in facts for a, p in disjuncts(atom))
        for atom, pol in facts
        if atom.startswith(_OR)
    )


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
            elif isinstance(target, ast.Attribute) and _simple(target):
                # `self._exclusive_fp = True`, tested later in a handler. (A method called in
                # between may store it again; tests of attributes already assume it does not.)
                text = expr_text(target)
                killed.add(text)
                if isinstance(stmt.value, ast.Constant):
                    names[text] = _atom_names(target)
                    facts.append((text, bool(stmt.value.value)))
            elif isinstance(target, (ast.Tuple, ast.List)):
                killed |= {n.id for n in walk(target) if isinstance(n, ast.Name)}
    elif isinstance(stmt, (ast.AugAssign, ast.AnnAssign, ast.For, ast.AsyncFor)):
        killed |= {n.id for n in walk(stmt.target) if isinstance(n, ast.Name)}
    elif isinstance(stmt, ast.withitem) and stmt.optional_vars is not None:
        killed |= {n.id for n in walk(stmt.optional_vars) if isinstance(n, ast.Name)}
    elif isinstance(stmt, ast.ExceptHandler) and stmt.name:
        killed.add(stmt.name)
    elif isinstance(stmt, (ast.Delete,)):
        killed |= {n.id for t in stmt.targets for n in walk(t) if isinstance(n, ast.Name)}
    value = getattr(stmt, "value", None)
    if isinstance(value, ast.NamedExpr):
        killed.add(value.target.id)
    return frozenset(killed), tuple(facts)


_NONE: frozenset[str] = frozenset()


def combine(
    facts: frozenset[Fact],
    killed: frozenset[str],
    new: tuple[Fact, ...] | list[Fact],
    names: dict[Atom, frozenset[str]],
    keep: Callable[[Fact], bool] | None = None,
) -> frozenset[Fact] | None:
    """Facts after a step; None when `new` contradicts what the path already knows. Only the
    new facts ``keep`` accepts are remembered (all are checked). ``facts``: what a path
    holds, never refuted (no set this returns is, nor any part of one)."""
    if killed and facts:
        kept = frozenset(f for f in facts if not (names.get(f[0], _NONE) & killed))
        if len(kept) < len(facts):
            facts = kept  # (else the same object: the caller then keeps its state)
    if not new:
        return facts  # (a part of facts not refuted is not refuted)
    for i, (atom, pol) in enumerate(new):
        if (atom, not pol) in facts or _excluded(atom, pol, facts, new[:i]):
            return None
    if _refuted(facts | frozenset(new)):
        return None
    if keep is not None:
        new = [f for f in new if keep(f)]
    if not new:
        return facts
    merged = facts | frozenset(new)
    if len(merged) <= MAX_FACTS:
        return merged
    # Over the budget: disjunctions go first, so that they never crowd out the plain facts
    # a path would hold without them.
    plain = frozenset(f for f in merged if not f[0].startswith(_OR))
    if len(plain) <= MAX_FACTS:
        return plain
    return frozenset(f for f in facts if not f[0].startswith(_OR))


def unevaluated_or_holds(test: ast.expr, polarity: bool) -> ast.expr | None:
    """The operand of a short-circuit test that, where `test` evaluated to `polarity`, either
    was never evaluated or evaluated to `polarity` too: the last operand of a false `and`
    (`items and lock.acquire(False)`) or of a true `or`. A fact that also holds when the
    operand did not run (a non-blocking acquire that did not acquire) follows from it."""
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And) != polarity:
        return test.values[-1]
    return None


# Types whose instances have only their class's attributes (a subclass may add some, but
# one adding `buffer` to a `str` is not worth a warning): `isinstance(x, str)` holding rules
# out `hasattr(x, "buffer")`.
_CLOSED_TYPES: dict[str, type] = {
    **{t.__name__: t for t in (str, bytes, bytearray, int, float, bool, complex)},
    **{t.__name__: t for t in (list, tuple, dict, set, frozenset)},
    **{
        name: cls
        for t in (pathlib.PurePath, pathlib.Path, pathlib.PurePosixPath, pathlib.PosixPath)
        for name, cls in ((t.__name__, t), (f"pathlib.{t.__name__}", t))
    },
    "socket.socket": socket.socket,
}


@lru_cache(maxsize=4096)
def _type_test(atom: Atom) -> tuple[str, str, str] | None:
    """`isinstance(x, str)` -> ("isinstance", "x", "str"); `hasattr(x, 'a')` -> ("hasattr",
    "x", "a"); anything else None."""
    if not atom.startswith(("isinstance(", "hasattr(")):
        return None
    try:
        call = ast.parse(atom, mode="eval").body
    except SyntaxError:
        return None
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and len(call.args) == 2):
        return None
    subject, arg = call.args
    if call.func.id == "hasattr":
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            return "hasattr", expr_text(subject), arg.value
        return None
    return "isinstance", expr_text(subject), expr_text(arg)


def _excluded(atom: Atom, pol: bool, facts: Iterable[Fact], more: Iterable[Fact]) -> bool:
    """Whether `isinstance(x, T)` holding and `hasattr(x, a)` evaluating to ``pol`` (or the
    other way round) cannot both be, for a type T whose attributes are known."""
    this = _type_test(atom)
    if this is None:
        return False
    for other, other_pol in (*facts, *more):
        that = _type_test(other)
        if that is None or that[0] == this[0] or that[1] != this[1]:
            continue
        (_, _, cls_name, is_pol), (_, _, attr, has_pol) = sorted(
            ((*this, pol), (*that, other_pol)), key=lambda t: t[0] != "isinstance"
        )
        cls = _CLOSED_TYPES.get(cls_name)
        if cls is not None and is_pol and hasattr(cls, attr) != has_pol:
            return True
    return False


class Relevance:
    """Which facts a later test can consult. A fact a test establishes matters only if the
    same atom is tested again (at another test, or at the same one in a loop) or bears on a
    related test (`isinstance(x, str)` on `hasattr(x, "buffer")`); a fact an assignment or
    an acquisition establishes, only if the atom is tested at all. Forgetting the others
    keeps the few facts a path can hold (MAX_FACTS) for the ones that decide a branch, and
    paths that differ only in them from being told apart."""

    def __init__(self, tests: Iterable[tuple[ast.expr, bool]]) -> None:
        names: dict[Atom, frozenset[str]] = {}
        counts: Counter[Atom] = Counter()
        self._again: set[Atom] = set()
        subjects: dict[str, set[str]] = {"isinstance": set(), "hasattr": set()}
        for test, repeats in tests:
            atoms = {a for pol in (True, False) for a, _ in edge_facts(test, pol, names)}
            counts.update(atoms)
            if repeats:
                self._again |= atoms
            for atom in atoms:
                typed = _type_test(atom)
                if typed is not None:
                    subjects[typed[0]].add(typed[1])
        self._tested = frozenset(counts)
        self._again |= {a for a, n in counts.items() if n > 1}
        self._related = subjects["isinstance"] & subjects["hasattr"]
        # name -> its tests against constants (`mode == 7`): an assignment of a constant
        # decides each of them.
        self.equalities: dict[str, list[tuple[Atom, str, object]]] = {}
        for atom in self._tested:
            eq = _equality(atom)
            if eq is not None:
                self.equalities.setdefault(eq[0], []).append((atom, eq[1], eq[2]))

    def after_test(self, fact: Fact) -> bool:
        atom, pol = fact
        if atom in self._again:
            return True
        members = disjuncts(atom)
        if members:
            # Only a disjunction whose every operand is tested again can be refuted.
            return all(a in self._again for a, _ in members)
        typed = _type_test(atom)
        # Only a type test that holds rules anything out.
        return typed is not None and typed[1] in self._related and (pol or typed[0] == "hasattr")

    def after_binding(self, fact: Fact) -> bool:
        return fact[0] in self._tested


@lru_cache(maxsize=4096)
def _equality(atom: Atom) -> tuple[str, str, object] | None:
    """`mode == 7` -> ("mode", "==", 7); `flag is None` -> ("flag", "is", None)."""
    if " == " not in atom and " is " not in atom:
        return None
    try:
        test = ast.parse(atom, mode="eval").body
    except SyntaxError:
        return None
    if not (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and isinstance(test.ops[0], (ast.Eq, ast.Is))
        and isinstance(test.comparators[0], ast.Constant)
    ):
        return None
    op = "==" if isinstance(test.ops[0], ast.Eq) else "is"
    return test.left.id, op, test.comparators[0].value


def constant_facts(stmt: ast.AST, relevance: Relevance) -> list[Fact]:
    """`mode = 7` decides the tests of `mode` against constants: `mode == 16` is false,
    `mode == 7` true."""
    if not (
        isinstance(stmt, ast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], ast.Name)
        and isinstance(stmt.value, ast.Constant)
    ):
        return []
    value = stmt.value.value
    out: list[Fact] = []
    for atom, op, other in relevance.equalities.get(stmt.targets[0].id, ()):
        same = type(value) is type(other) and value == other
        if op == "==" and type(value) is not type(other):
            continue  # `1 == 1.0`, `1 == True`: leave mixed types alone
        out.append((atom, same))
    return out


def owned_if(call: ast.Call) -> list[Fact]:
    """What must hold for ``call`` to own what it opens: `os.fdopen(fd, closefd=flag)` owns
    the descriptor only where `flag` is true (a constant false flag is no acquisition), and
    `open(self.outputfile)` opens something only where the path is not empty (`open("")`
    raises), so a later `if self.outputfile:` holds."""
    out = [
        (k.value.id, True)
        for k in call.keywords
        if k.arg == "closefd" and isinstance(k.value, ast.Name)
    ]
    path = call.args[0] if call.args else None
    if _opens_path(call.func) and isinstance(path, (ast.Name, ast.Attribute)) and _simple(path):
        out.append((expr_text(path), True))
    return out


def _opens_path(func: ast.expr) -> bool:
    """`open(...)`, `io.open(...)`, `os.open(...)`, `codecs.open(...)`."""
    if isinstance(func, ast.Name):
        return func.id == "open"
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "open"
        and isinstance(func.value, ast.Name)
        and func.value.id in ("io", "os", "codecs")
    )
