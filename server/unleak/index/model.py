"""A module's summary for the project index: plain data, from its text alone.

What it says about other modules is symbolic (qualified names), so a summary depends only on
the module's bytes and is cached by them; the index links the names (:mod:`.project`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# A function: (returns, elements, ref, params, kwonly, effects).
#   returns: resource type of a fresh result ("class:pkg.mod.Conn" for a project class)
#   ref: another module's callable whose result it returns ("pkg.db.connect"), or "type:"
#        and the class its return annotation names; resolved by the index
#   params/kwonly: named only when effects were computed (else every argument is kept)
#   effects: ((parameter, "release" | "wait" | "escape" | "opens"), ...); other named
#            parameters are borrowed ("wait": only wait()/poll(), which end a process but not
#            its pipes; "opens": only given to open(), which takes a descriptor over and
#            borrows nothing else)
RawFunction = tuple[
    str | None,
    tuple[str | None, ...],
    str | None,
    tuple[str, ...],
    tuple[str, ...],
    tuple[tuple[str, str], ...],
]
# A resource class: (noun, release methods, with releases, supports with, opening methods of
# a lazy class, release methods that release only when they return, the constructor's
# parameter through which it opens only a path: (name, position) or ()).
RawClass = tuple[
    str, tuple[str, ...], bool, bool, tuple[str, ...], tuple[str, ...], tuple[str, int] | tuple[()]
]
# A plain class another module's class may derive from: (its bases from other modules,
# attributes of `self` it mentions ("*": reaches them by name), methods that may release,
# supports with).
RawBase = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], bool]
# A resource class if its bases from other modules are harmless: (the class, those bases,
# the attributes it acquires).
RawPending = tuple[RawClass, tuple[str, ...], tuple[str, ...]]
# A resource class if one of the other modules' callables whose results its acquiring
# methods keep on `self` returns a resource: (the class, those callables' qualified names,
# the constructor's argument choosing them at run time: (keyword, position) or (), its bases
# from other modules and the attributes it acquires, as for RawPending).
RawOwner = tuple[
    RawClass, tuple[str, ...], tuple[str, int] | tuple[()], tuple[str, ...], tuple[str, ...]
]
# A plain class's methods that return a fresh resource: ((method, returns, elements), ...).
RawMethods = tuple[tuple[str, str, tuple[str | None, ...]], ...]
# A plain class's methods whose effects on their arguments are known (they borrow one they
# use as a stream, only open one, or release one): ((method, params, kwonly, effects), ...),
# effects as a function's.
RawMethodEffects = tuple[
    tuple[str, tuple[str, ...], tuple[str, ...], tuple[tuple[str, str], ...]], ...
]
# A class taking over a constructor argument (summaries.wrappers): (params, kwonly,
# ((parameter, how it releases what it keeps), ...), its releasing methods, parameters
# replaced by their descriptor).
RawWrapper = tuple[
    tuple[str, ...],
    tuple[str, ...],
    tuple[tuple[str, tuple[str, ...]], ...],
    tuple[str, ...],
    tuple[str, ...],
]


@dataclass
class ModuleSummary:
    name: str  # dotted module name ("pkg" for pkg/__init__.py)
    functions: dict[str, RawFunction] = field(default_factory=dict)
    classes: dict[str, RawClass] = field(default_factory=dict)
    imports: dict[str, str] = field(default_factory=dict)  # local name -> qualified name
    stars: tuple[str, ...] = ()  # modules imported with `from m import *`
    all: tuple[str, ...] | None = None  # `__all__`, when it is a literal
    uses: tuple[str, ...] = ()  # modules it imports (with `imports`: what it may need)
    # The names it calls (`f(`, `m.f(`): only those of its imports can matter to it, so a
    # module is analysed again only when a name it calls is in its view.
    calls: frozenset[str] = frozenset()
    bases: dict[str, RawBase] = field(default_factory=dict)
    pending: dict[str, RawPending] = field(default_factory=dict)
    owners: dict[str, RawOwner] = field(default_factory=dict)
    methods: dict[str, RawMethods] = field(default_factory=dict)
    wrappers: dict[str, RawWrapper] = field(default_factory=dict)
    method_effects: dict[str, RawMethodEffects] = field(default_factory=dict)
    # Module-level names bound to a call's result and used as a base class (`TableBase =
    # with_typehint(Table)`): name -> the callee's qualified name.
    aliases: dict[str, str] = field(default_factory=dict)
    # Its functions that return the class `object` at run time (outside `if TYPE_CHECKING:`).
    object_functions: tuple[str, ...] = ()

    def needs(self) -> list[str]:
        """The modules and names it imports: what it may use of the others."""
        return [*self.uses, *self.imports.values()]

    def to_data(self) -> list[Any]:
        return [
            self.name,
            {
                n: [f[0], list(f[1]), f[2], list(f[3]), list(f[4]), [list(e) for e in f[5]]]
                for n, f in self.functions.items()
            },
            {n: _class_data(c) for n, c in self.classes.items()},
            self.imports,
            list(self.stars),
            None if self.all is None else list(self.all),
            list(self.uses),
            sorted(self.calls),
            {n: [list(b[0]), list(b[1]), list(b[2]), b[3]] for n, b in self.bases.items()},
            {
                n: [_class_data(c), list(bases), list(attrs)]
                for n, (c, bases, attrs) in self.pending.items()
            },
            {
                n: [_class_data(c), list(callees), list(chooser), list(bases), list(acquired)]
                for n, (c, callees, chooser, bases, acquired) in self.owners.items()
            },
            {n: [[m, r, list(e)] for m, r, e in ms] for n, ms in self.methods.items()},
            {
                n: [list(w[0]), list(w[1]), [[p, list(k)] for p, k in w[2]], list(w[3]), list(w[4])]
                for n, w in self.wrappers.items()
            },
            {
                n: [[m, list(p), list(k), [list(e) for e in eff]] for m, p, k, eff in ms]
                for n, ms in self.method_effects.items()
            },
            self.aliases,
            list(self.object_functions),
        ]

    @classmethod
    def from_data(cls, data: Any) -> ModuleSummary:
        """The inverse of :meth:`to_data`; raises (TypeError, ValueError) on garbage."""
        name, functions, classes, imports, stars, all_, uses, calls, bases, pending = data[:10]
        owners = data[10] if len(data) > 10 else {}
        methods = data[11] if len(data) > 11 else {}
        wrappers = data[12] if len(data) > 12 else {}
        method_effects = data[13] if len(data) > 13 else {}
        aliases = data[14] if len(data) > 14 else {}
        object_functions = data[15] if len(data) > 15 else ()
        return cls(
            _str(name),
            {
                _str(n): (
                    _opt(f[0]),
                    tuple(_opt(e) for e in f[1]),
                    _opt(f[2]),
                    tuple(_str(p) for p in f[3]),
                    tuple(_str(p) for p in f[4]),
                    tuple((_str(p), _str(e)) for p, e in f[5]),
                )
                for n, f in functions.items()
            },
            {_str(n): _raw_class(c) for n, c in classes.items()},
            {_str(k): _str(v) for k, v in imports.items()},
            _strs(stars),
            None if all_ is None else _strs(all_),
            _strs(uses),
            frozenset(_strs(calls)),
            {
                _str(n): (_strs(b[0]), _strs(b[1]), _strs(b[2]), bool(b[3]))
                for n, b in bases.items()
            },
            {_str(n): (_raw_class(p[0]), _strs(p[1]), _strs(p[2])) for n, p in pending.items()},
            {
                _str(n): (
                    _raw_class(o[0]),
                    _strs(o[1]),
                    _chooser(o[2] if len(o) > 2 else ()),
                    _strs(o[3] if len(o) > 3 else ()),
                    _strs(o[4] if len(o) > 4 else ()),
                )
                for n, o in owners.items()
            },
            {
                _str(n): tuple((_str(m[0]), _str(m[1]), tuple(_opt(e) for e in m[2])) for m in ms)
                for n, ms in methods.items()
            },
            {
                _str(n): (
                    _strs(w[0]),
                    _strs(w[1]),
                    tuple((_str(p), _strs(k)) for p, k in w[2]),
                    _strs(w[3]),
                    _strs(w[4]),
                )
                for n, w in wrappers.items()
            },
            {
                _str(n): tuple(
                    (
                        _str(m[0]),
                        _strs(m[1]),
                        _strs(m[2]),
                        tuple((_str(p), _str(e)) for p, e in m[3]),
                    )
                    for m in ms
                )
                for n, ms in method_effects.items()
            },
            {_str(k): _str(v) for k, v in aliases.items()},
            _strs(object_functions),
        )


def _class_data(c: Any) -> list[Any]:
    # Summaries made before classes carried their opening methods have four parts, before
    # they carried their release methods that release only when they return, five, before
    # their path-or-stream parameter, six.
    return [
        c[0],
        list(c[1]),
        c[2],
        c[3],
        list(c[4]) if len(c) > 4 else [],
        list(c[5]) if len(c) > 5 else [],
        list(c[6]) if len(c) > 6 else [],
    ]


def _raw_class(c: Any) -> RawClass:
    return (
        _str(c[0]),
        _strs(c[1]),
        bool(c[2]),
        bool(c[3]),
        _strs(c[4]) if len(c) > 4 else (),
        _strs(c[5]) if len(c) > 5 else (),
        _chooser(c[6] if len(c) > 6 else ()),
    )


def _chooser(value: Any) -> tuple[str, int] | tuple[()]:
    if not value:
        return ()
    keyword, position = value
    if type(position) is not int:
        raise TypeError("position")
    return _str(keyword), position


def _strs(values: Any) -> tuple[str, ...]:
    # Checked in C (map, set): a warm run reads every module's summary from the cache.
    found = tuple(values)
    if not set(map(type, found)) <= {str}:
        raise TypeError("string")
    return found


def _str(value: Any) -> str:
    if type(value) is not str:
        raise TypeError("string")
    return value


def _opt(value: Any) -> str | None:
    return None if value is None else _str(value)
