"""Classes chosen at run time: what a class's method calls when it calls a class attribute
(`self.default_storage_class(...)` with `default_storage_class = JSONStorage`), a parameter
with a default (`def __init__(self, storage=JSONStorage)`) or what it pops off its keyword
arguments (`storage = kwargs.pop("storage", self.default_storage_class)`): the default, unless
a subclass or the caller chooses another class. The caller's choice is recorded (the argument
that makes it) so that a call choosing a class not known to be a resource acquires nothing."""

from __future__ import annotations

import ast
import weakref
from collections.abc import Callable
from dataclasses import dataclass

from unleak.names.resolver import iter_statements
from unleak.source.facts import StatementFacts, fact
from unleak.source.walk import walk
from unleak.summaries.callable_attrs import parameter_defaults

Method = ast.FunctionDef | ast.AsyncFunctionDef
_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef)


@dataclass(frozen=True)
class Choice:
    """The class a call in a method makes, by default."""

    default: ast.Name | ast.Attribute  # the expression naming it (in the class or module)
    # The constructor's argument through which the caller chooses another class: its keyword
    # and its position after `self` (-1: by keyword only); None: only a subclass can.
    keyword: str | None = None
    position: int = -1


def chosen_class(
    func: ast.expr, method: Method, cls: ast.ClassDef, facts: StatementFacts | None = None
) -> Choice | None:
    """The default class behind a called expression of ``method`` (a method of ``cls``), if
    it is a class attribute, a parameter's default or a popped keyword argument's.
    ``facts``: see `class_attribute`."""
    attr = class_attr_ref(func)
    if attr is not None:
        value = class_attribute(cls, attr, facts)
        return Choice(value) if value is not None else None
    if not isinstance(func, ast.Name):
        return None
    name = func.id
    args = method.args
    positional = [*args.posonlyargs, *args.args]
    params = {a.arg for a in [*positional, *args.kwonlyargs]}
    bound = [s for s in iter_statements(method.body, nested=False) if name in _bound_names(s)]
    if name in params:
        if bound:
            return None  # rebound: what it holds when called is not the default alone
        default = parameter_defaults(method).get(name)
        value = _plain_default(default, cls, facts)
        if value is None:
            return None
        names = [a.arg for a in positional]
        # Its position among the arguments a call passes (after `self`).
        return Choice(value, name, names.index(name) - 1 if name in names else -1)
    if len(bound) != 1 or not isinstance(bound[0], ast.Assign):
        return None
    popped = _popped_keyword(bound[0].value, args.kwarg.arg if args.kwarg else None)
    if popped is None:
        return None
    keyword, default = popped
    value = _plain_default(default, cls, facts)
    return Choice(value, keyword, -1) if value is not None else None


def class_attribute(
    cls: ast.ClassDef, attr: str, facts: StatementFacts | None = None
) -> ast.Name | ast.Attribute | None:
    """What the class body binds ``attr`` to, once, when it is a plain name (`Cls = Other`)
    and no method binds it on `self`. ``facts``: the attributes each member of a top-level
    class binds on `self`, kept while its tree is (a method is walked again only when it
    changed)."""
    values: list[ast.expr] = []
    for stmt in cls.body:
        if isinstance(stmt, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == attr for t in stmt.targets
        ):
            values.append(stmt.value)
        elif isinstance(stmt, ast.AnnAssign) and (
            isinstance(stmt.target, ast.Name) and stmt.target.id == attr
        ):
            values.append(stmt.value if stmt.value is not None else stmt.target)
        elif isinstance(stmt, (*_DEFS, ast.ClassDef)) and stmt.name == attr:
            return None
    if len(values) != 1 or not isinstance(values[0], (ast.Name, ast.Attribute)):
        return None
    for method in cls.body:
        if isinstance(method, _DEFS) and attr in fact(
            facts, method, "self attributes stored", self_attrs_stored
        ):
            return None
    return values[0]


def class_level_names(cls: ast.ClassDef) -> frozenset[str]:
    """The names the class body binds by assignment (what `class_attribute` may give)."""
    out: set[str] = set()
    for stmt in cls.body:
        if isinstance(stmt, ast.Assign):
            out.update(t.id for t in stmt.targets if isinstance(t, ast.Name))
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            out.add(stmt.target.id)
    return frozenset(out)


def may_choose(cls: ast.ClassDef, known: Callable[[ast.expr], bool]) -> bool:
    """A cheap test: whether the class body or one of its methods' defaults names something
    ``known`` accepts (before its methods are scanned for chosen classes)."""
    for stmt in cls.body:
        if isinstance(stmt, ast.Assign) and isinstance(stmt.value, (ast.Name, ast.Attribute)):
            if known(stmt.value):
                return True
        elif isinstance(stmt, _DEFS):
            defaults = [*stmt.args.defaults, *(d for d in stmt.args.kw_defaults if d)]
            if any(isinstance(d, (ast.Name, ast.Attribute)) and known(d) for d in defaults):
                return True
    return False


def class_attr_ref(func: ast.expr) -> str | None:
    """`self.A`, `self.__class__.A` or `type(self).A`: the class attribute A."""
    if not isinstance(func, ast.Attribute):
        return None
    owner = func.value
    if isinstance(owner, ast.Name) and owner.id == "self":
        return func.attr
    if (
        isinstance(owner, ast.Attribute)
        and owner.attr == "__class__"
        and isinstance(owner.value, ast.Name)
        and owner.value.id == "self"
    ):
        return func.attr
    if (
        isinstance(owner, ast.Call)
        and isinstance(owner.func, ast.Name)
        and owner.func.id == "type"
        and len(owner.args) == 1
        and isinstance(owner.args[0], ast.Name)
        and owner.args[0].id == "self"
    ):
        return func.attr
    return None


def _plain_default(
    default: ast.expr | None, cls: ast.ClassDef, facts: StatementFacts | None = None
) -> ast.Name | ast.Attribute | None:
    if default is None:
        return None
    attr = class_attr_ref(default)
    if attr is not None:
        return class_attribute(cls, attr, facts)
    if isinstance(default, (ast.Name, ast.Attribute)):
        return default
    return None


def _popped_keyword(value: ast.expr, kwargs: str | None) -> tuple[str, ast.expr] | None:
    """`kwargs.pop("storage", default)` or `kwargs.get(...)` on the `**` parameter."""
    if (
        kwargs is not None
        and isinstance(value, ast.Call)
        and isinstance(value.func, ast.Attribute)
        and value.func.attr in ("pop", "get")
        and isinstance(value.func.value, ast.Name)
        and value.func.value.id == kwargs
        and len(value.args) == 2
        and not value.keywords
        and isinstance(value.args[0], ast.Constant)
        and isinstance(value.args[0].value, str)
    ):
        return value.args[0].value, value.args[1]
    return None


def _bound_names(stmt: ast.stmt) -> set[str]:
    if isinstance(stmt, ast.Assign):
        targets = stmt.targets
    elif isinstance(stmt, (ast.AnnAssign, ast.AugAssign, ast.For, ast.AsyncFor)):
        targets = [stmt.target]
    elif isinstance(stmt, (ast.With, ast.AsyncWith)):
        targets = [i.optional_vars for i in stmt.items if i.optional_vars is not None]
    elif isinstance(stmt, (*_DEFS, ast.ClassDef)):
        return {stmt.name}
    else:
        return set()
    return {n.id for t in targets for n in walk(t) if isinstance(n, ast.Name)}


# A method's tree -> the attributes of `self` it binds or deletes, also when no `facts` keep
# them (a module analysed once): `class_attribute` asks once per class attribute and method,
# which made a class of hundreds of methods quadratic. A method's tree is never changed in
# place (an editor moves an unchanged one to its new line, which changes no name).
_SELF_STORES: weakref.WeakKeyDictionary[ast.AST, frozenset[str]] = weakref.WeakKeyDictionary()


def self_attrs_stored(method: ast.AST) -> frozenset[str]:
    """The attributes of `self` a method (nested scopes included) stores or deletes."""
    found = _SELF_STORES.get(method)
    if found is None:
        found = frozenset(
            sub.attr
            for sub in walk(method)
            if isinstance(sub, ast.Attribute)
            and not isinstance(sub.ctx, ast.Load)
            and isinstance(sub.value, ast.Name)
            and sub.value.id == "self"
        )
        _SELF_STORES[method] = found
    return found
