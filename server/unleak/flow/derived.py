"""Values that depend on a resource staying open: readers, iterators, bound methods, views,
descriptors, closures and the local objects it is stored into.

Python closes a resource when its last reference dies, and a value built from it (a
`csv.reader(f)`, `enumerate(f)`, `f.write`, a generator over `f`) keeps it in use: a `with`
block or a `finally` that releases the resource must cover every use of every such value,
and must not be offered when one of them leaves the function. The same facts find code that
uses such a value after the release (UL110).

The analysis is per function and flow-insensitive: a name is dependent if any assignment in
the function makes it so (the safe side for fixes, which then cover more). Two strengths:
*strong* values are known to need the resource open (using them after the release fails or
misbehaves); *weak* ones may (an unknown call's result): fixes cover them too, UL110 does not
report them.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import NamedTuple

from unleak.names.resolver import NameResolver, iter_statements
from unleak.source.steps import Steps, drive
from unleak.source.walk import walk

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


class Strength(IntEnum):
    NONE = 0
    WEAK = 1  # may hold the resource (an unknown call's result)
    STRONG = 2  # known to need the resource open


# Calls whose result is plain data however the resource is passed to them (they read it
# eagerly or only look at it).
PLAIN_FUNCTIONS = frozenset(
    {
        "builtins.print",
        "builtins.len",
        "builtins.next",
        "builtins.isinstance",
        "builtins.issubclass",
        "builtins.str",
        "builtins.repr",
        "builtins.bool",
        "builtins.int",
        "builtins.float",
        "builtins.id",
        "builtins.type",
        "builtins.hasattr",
        "builtins.list",
        "builtins.tuple",
        "builtins.set",
        "builtins.frozenset",
        "builtins.sorted",
        "builtins.sum",
        "builtins.any",
        "builtins.all",
        "builtins.min",
        "builtins.max",
        "builtins.hash",
        "builtins.format",
        "builtins.callable",
        "builtins.dict",
        "builtins.bytes",
        "builtins.bytearray",
        "json.load",
        "json.dump",
        "pickle.load",
        "pickle.dump",
        "marshal.load",
        "marshal.dump",
        "tomllib.load",
        "plistlib.load",
        "plistlib.dump",
        "shutil.copyfileobj",
        "os.fstat",
        "os.fsync",
        "os.read",
        "os.write",
        "os.lseek",
        "os.isatty",
        "hashlib.file_digest",
        "email.message_from_file",
        "email.message_from_binary_file",
        "yaml.safe_load",
        "yaml.load",
        "yaml.dump",
        "yaml.safe_dump",
        "toml.load",
        "toml.dump",
        "sys.getsizeof",
        "os.fspath",
        "select.select",
        "time.sleep",
        # They use a path (a temporary file's `.name`) while they run, and keep nothing.
        "os.path.getsize",
        "os.path.getmtime",
        "os.path.exists",
        "os.path.isfile",
        "os.path.isdir",
        "os.path.basename",
        "os.stat",
        "os.lstat",
        "os.listdir",
        "os.remove",
        "os.unlink",
        "os.rename",
        "os.replace",
        "os.mkdir",
        "os.makedirs",
        "os.rmdir",
        "shutil.copy",
        "shutil.copy2",
        "shutil.copyfile",
        "shutil.copytree",
        "shutil.rmtree",
        "shutil.move",
        "filecmp.cmp",
        # They wait for the child, which is done with the path when they return.
        "subprocess.run",
        "subprocess.call",
        "subprocess.check_call",
        "subprocess.check_output",
    }
)

# Calls whose result reads through, writes through or exposes the resource lazily.
LAZY_FUNCTIONS = frozenset(
    {
        "builtins.iter",
        "builtins.enumerate",
        "builtins.zip",
        "builtins.map",
        "builtins.filter",
        "builtins.reversed",
        "builtins.memoryview",
        "csv.reader",
        "csv.writer",
        "csv.DictReader",
        "csv.DictWriter",
        "io.TextIOWrapper",
        "io.BufferedReader",
        "io.BufferedWriter",
        "codecs.getreader",
        "codecs.getwriter",
        "functools.partial",
        "heapq.merge",
        "itertools.chain",
        "itertools.islice",
        "itertools.takewhile",
        "itertools.dropwhile",
        "itertools.groupby",
        "itertools.zip_longest",
        "itertools.starmap",
        "itertools.tee",
        "itertools.pairwise",
        "itertools.batched",
        "tokenize.generate_tokens",
        "tokenize.tokenize",
        # A path inside a temporary directory, a file opened by a deleting temporary file's
        # path or wrapping a descriptor: as good as what they were made from.
        "os.path.join",
        "os.path.abspath",
        "os.path.realpath",
        "os.path.dirname",
        "os.walk",
        "builtins.open",
        "io.open",
        "os.fdopen",
    }
)

# Methods of a resource that return plain data (the resource stays the only holder).
PLAIN_METHODS = frozenset(
    {
        "read",
        "readline",
        "readlines",
        "read1",
        "readinto",
        "recv",
        "recv_into",
        "recvfrom",
        "recv_bytes",
        "fetchone",
        "fetchall",
        "fetchmany",
        "getvalue",
        "getbuffer",
        "namelist",
        "infolist",
        "getnames",
        "getmembers",
        "getinfo",
        "getmember",
        "write",
        "writelines",
        "send",
        "sendall",
        "sendto",
        "tell",
        "seek",
        "flush",
        "truncate",
        "isatty",
        "readable",
        "writable",
        "seekable",
        "getsockname",
        "getpeername",
        "gettimeout",
        "getsockopt",
        "setsockopt",
        "settimeout",
        "setblocking",
        "bind",
        "listen",
        "connect",
        "connect_ex",
        "shutdown",
        "communicate",
        "wait",
        "poll",
        "kill",
        "terminate",
        "send_signal",
        "commit",
        "rollback",
        "get",
        "result",
        "submit",  # a Future: its result is computed by the executor, not through it
        "run_in_executor",  # `loop.run_in_executor(pool, fn)`: the same, through the loop
        # A pool's map()/starmap()/apply() wait for the results and return them (an
        # executor's map() computes them all at once too).
        "map",
        "starmap",
        "apply",
        "stat",
        "exists",
        "encode",
        "decode",
        "join",
        "split",
        "strip",
        "startswith",
        "endswith",
        "format",
    }
)

# Methods whose result is known to need the resource open.
STRONG_METHODS = frozenset(
    {
        "__iter__",
        "__aiter__",
        "__enter__",
        "enter_context",
        "enter_async_context",
        "cursor",
        "extractfile",
        "makefile",
        "iterdir",
        "scandir",
        "imap",
        "imap_unordered",
    }
)

# Attributes of a resource that are plain data (not bound methods or members).
PLAIN_ATTRIBUTES = frozenset(
    {
        "name",
        "closed",
        "mode",
        "encoding",
        "errors",
        "newlines",
        "family",
        "type",
        "proto",
        "pid",
        "returncode",
        "args",
        "filename",
        "timeout",
        "line_buffering",
        "softspace",
        "level",
    }
)

# Methods that put their arguments into the receiver (a container, an ExitStack).
STORING_METHODS = frozenset(
    {
        "append",
        "extend",
        "insert",
        "add",
        "update",
        "setdefault",
        "put",
        "put_nowait",
        "appendleft",
        "enter_context",
        "enter_async_context",
        "push",
        "callback",
        "register",
    }
)


@dataclass(frozen=True)
class Escape:
    node: ast.AST  # where the value leaves the function
    name: str  # the dependent name (or the expression's text) that leaves
    how: str  # "returned", "yielded", "stored", "passed", "captured"


@dataclass
class Dependence:
    """What depends on a resource known by the names ``roots`` in one function."""

    roots: frozenset[str]
    names: dict[str, Strength] = field(default_factory=dict)  # roots included (STRONG)
    containers: set[str] = field(default_factory=set)  # local lists, dicts, stacks holding them
    # Objects it was stored on as an attribute (`worker.loop = loop`): they keep it in use,
    # but using them after its release is not using it (they may just report on it).
    holders: set[str] = field(default_factory=set)
    origins: dict[str, ast.AST] = field(default_factory=dict)  # the value that made a name so
    # Holding it open has an effect the rest of the function relies on (an `flock` on it):
    # nothing may release it before the function ends.
    pinned: bool = False
    escapes: list[Escape] = field(default_factory=list)  # of dependent values, not the roots

    def dependent(self, minimum: Strength = Strength.WEAK) -> frozenset[str]:
        return frozenset(n for n, s in self.names.items() if s >= minimum)

    def derived(self, minimum: Strength = Strength.WEAK) -> frozenset[str]:
        return self.dependent(minimum) - self.roots


class _Deriver:
    def __init__(
        self,
        resolver: NameResolver,
        names: dict[str, Strength],
        name_matters: bool = False,
        root_node: ast.AST | None = None,
    ) -> None:
        self.resolver = resolver
        self.names = names
        self.plain_attributes = PLAIN_ATTRIBUTES - {"name"} if name_matters else PLAIN_ATTRIBUTES
        self.root_node = root_node  # an inline acquisition (`csv.reader(open(p))`)

    def strength(self, e: ast.AST | None) -> Strength:
        """How much the value of ``e`` depends on the resource. Evaluated by steps (see
        `source.steps`), never by recursion: `x[0][0]...` may nest 2,000 deep."""
        value = self._leaf(e)
        if value is not None:
            return value
        assert e is not None
        return drive(self._steps(e), self._steps, self._leaf)

    def _leaf(self, e: ast.AST | None) -> Strength | None:
        """The strength of an expression with no parts to look at; None for any other."""
        if e is None:
            return Strength.NONE
        if e is self.root_node:
            return Strength.STRONG
        if isinstance(e, ast.Name):
            return (
                self.names.get(e.id, Strength.NONE)
                if isinstance(e.ctx, ast.Load)
                else (Strength.NONE)
            )
        if isinstance(e, ast.Constant):
            return Strength.NONE
        return None

    def _steps(self, e: ast.AST) -> Steps[ast.AST, Strength]:
        if isinstance(e, ast.Attribute):
            # Down the chain first, then out, in one step.
            attrs: list[str] = []
            inner: ast.AST = e
            while isinstance(inner, ast.Attribute) and inner is not self.root_node:
                attrs.append(inner.attr)
                inner = inner.value
            base = yield inner
            for attr in reversed(attrs):
                if not base or attr in self.plain_attributes:
                    return Strength.NONE
                # A bound method or a member (`f.write`, `f.buffer`, `proc.stdout`).
                base = Strength.STRONG if base == Strength.STRONG else Strength.WEAK
            return base
        if isinstance(e, ast.Call):
            return (yield from self._call(e))
        if isinstance(e, (ast.Await, ast.Starred, ast.NamedExpr)):
            return (yield e.value)
        if isinstance(e, (ast.Tuple, ast.List, ast.Set, ast.Dict, ast.IfExp, ast.BoolOp)):
            if isinstance(e, ast.IfExp):
                parts: list[ast.expr] = [e.body, e.orelse]
            elif isinstance(e, ast.Dict):
                parts = e.values
            else:
                parts = e.values if isinstance(e, ast.BoolOp) else e.elts
            # The strongest part (all of them are looked at, as `max` would).
            best = Strength.NONE
            for part in parts:
                best = max(best, (yield part))
            return best
        if isinstance(e, ast.Subscript):
            # An item of a dependent container, or a slice of a view.
            return Strength.WEAK if (yield e.value) else Strength.NONE
        if isinstance(e, ast.GeneratorExp):
            # Lazy: it reads through whatever it iterates or refers to.
            return Strength.STRONG if self.refers(e) else Strength.NONE
        if isinstance(e, (ast.ListComp, ast.SetComp)):
            return (yield from self._eager_elements(e.elt, e.generators))
        if isinstance(e, ast.DictComp):
            key = yield from self._eager_elements(e.key, e.generators)
            return max(key, (yield from self._eager_elements(e.value, e.generators)))
        if isinstance(e, ast.Lambda):
            return Strength.STRONG if self.refers(e) else Strength.NONE
        return Strength.NONE

    def _eager_elements(
        self, elt: ast.expr, gens: list[ast.comprehension]
    ) -> Steps[ast.AST, Strength]:
        # Built at once; its elements matter, not what it iterated (`[l for l in f]`).
        loop_vars = {n.id for g in gens for n in walk(g.target) if isinstance(n, ast.Name)}
        shadowed = {v: self.names.pop(v) for v in loop_vars if v in self.names}
        try:
            return (yield elt)
        finally:
            self.names.update(shadowed)

    def refers(self, node: ast.AST) -> bool:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            # A closure refers to the names it does not bind itself.
            free = _free_names(node)
            return any(n in self.names for n in free)
        return any(
            (isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id in self.names)
            or n is self.root_node
            for n in walk(node)
        )

    def _call(self, call: ast.Call) -> Steps[ast.AST, Strength]:
        func = call.func
        arg = Strength.NONE
        for a in [*call.args, *(k.value for k in call.keywords)]:
            arg = max(arg, (yield a))
        if isinstance(func, ast.Attribute):
            recv = yield func.value
            if recv == Strength.WEAK:
                # A method of something that may hold the resource (an unknown call's
                # result): its result may too, but nothing says it needs it open, whatever
                # it is given (`client.fetch(path, repo)`, `index.commit(repo.store)`).
                return Strength.NONE if func.attr in PLAIN_METHODS else Strength.WEAK
            if recv:
                method = func.attr
                if method in PLAIN_METHODS:
                    return arg if arg == Strength.STRONG else Strength.NONE
                if method in STRONG_METHODS:
                    return Strength.STRONG
                return max(Strength.WEAK, arg)
        qual = self.resolver.qualify(func) if isinstance(func, (ast.Name, ast.Attribute)) else None
        if not arg:
            return Strength.NONE
        if qual in PLAIN_FUNCTIONS:
            return Strength.NONE
        if qual in LAZY_FUNCTIONS:
            return arg
        if isinstance(func, ast.Attribute) and func.attr in PLAIN_METHODS:
            return Strength.NONE  # `", ".join(f)`, `out.write(...)`
        return Strength.WEAK


# Calls that make holding the resource open matter until it is closed (a lock on the file).
PINNING_FUNCTIONS = frozenset({"fcntl.flock", "fcntl.lockf", "msvcrt.locking"})
# Factories whose resource gives its name a meaning only while open (deleted on close).
_NAMED_WHILE_OPEN = frozenset({"tempfile.NamedTemporaryFile", "tempfile.TemporaryDirectory"})


def name_matters(call: ast.Call, resolver: NameResolver) -> bool:
    """Whether the resource from ``call`` is deleted on release, so that its `.name` (a path)
    is only good while it is open."""
    qual = resolver.qualify(call.func) if isinstance(call.func, (ast.Name, ast.Attribute)) else None
    if qual not in _NAMED_WHILE_OPEN:
        return False
    return not any(
        k.arg == "delete" and isinstance(k.value, ast.Constant) and not k.value.value
        for k in call.keywords
    )


def dependence(
    body: list[ast.stmt],
    roots: Iterable[str],
    resolver: NameResolver,
    *,
    named_while_open: bool = False,
    root_node: ast.AST | None = None,
    exclude: frozenset[int] = frozenset(),
) -> Dependence:
    """Everything in a function's ``body`` that depends on the resource named by ``roots``
    (or acquired inline by ``root_node``). ``named_while_open``: its `.name` is a path that
    is deleted on release (see `name_matters`). ``exclude``: ids of statements where the
    roots name something else (after they were rebound)."""
    names: dict[str, Strength] = {r: Strength.STRONG for r in roots}
    dep = Dependence(frozenset(names), names)
    deriver = _Deriver(resolver, names, named_while_open, root_node)
    index = _StatementIndex.of(body)
    stmts = [s for s in index.mentioning(names, root_node) if id(s) not in exclude]
    # A fixed point: `r = csv.reader(f)` then `rows = enumerate(r)`.
    for _ in range(8):
        before = dict(names)
        if len(stmts) < len(index.stmts):
            stmts = [s for s in index.mentioning(names, root_node) if id(s) not in exclude]
        for s in stmts:
            for target, value in _bindings(s, dep.containers):
                strength = deriver.strength(value)
                _mark(target, strength, names, dep.roots)
                if strength and isinstance(target, ast.Name) and value is not None:
                    dep.origins.setdefault(target.id, value)
                if strength and isinstance(target, ast.Name) and isinstance(value, _CONTAINERS):
                    dep.containers.add(target.id)
            for holder, value in _stores(s):
                strength = deriver.strength(value)
                if strength and holder not in dep.roots:
                    _raise(names, holder, strength)
                    dep.containers.add(holder)
                    dep.origins.setdefault(holder, value)
                    if _attribute_store(s, holder):
                        dep.holders.add(holder)
            if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and (
                deriver.refers(s)
            ):
                _raise(names, s.name, Strength.STRONG)
        if names == before:
            break
    dep.escapes = list(_escapes(stmts, deriver, dep))
    dep.pinned = any(
        isinstance(n.func, (ast.Name, ast.Attribute))
        and resolver.qualify(n.func) in PINNING_FUNCTIONS
        and n.args
        and deriver.strength(n.args[0]) == Strength.STRONG
        for s in stmts
        for n in _own_nodes(s).calls
    )
    return dep


class _StatementIndex:
    """A body's statements and, per name, the ones that mention it: only those can depend on
    a resource, so a module of many thousand statements is not walked once per resource."""

    _last: list[tuple[list[ast.stmt], _StatementIndex]] = []

    def __init__(self, body: list[ast.stmt]) -> None:
        self.stmts = list(iter_statements(body, nested=False))
        self.by_name: dict[str, list[int]] = {}
        for i, s in enumerate(self.stmts):
            for name in _mentioned(s):
                self.by_name.setdefault(name, []).append(i)

    @classmethod
    def of(cls, body: list[ast.stmt]) -> _StatementIndex:
        for cached, index in cls._last:
            if cached is body:
                return index
        index = cls(body)
        cls._last[:] = [(body, index)]
        return index

    def mentioning(self, names: Iterable[str], root: ast.AST | None) -> list[ast.stmt]:
        if len(self.stmts) < 64:
            return self.stmts
        picked: set[int] = set()
        for name in names:
            picked.update(self.by_name.get(name, ()))
        if root is not None:
            line = getattr(root, "lineno", 0)
            picked.update(
                i
                for i, s in enumerate(self.stmts)
                if s.lineno <= line <= (s.end_lineno or s.lineno)
            )
        return [self.stmts[i] for i in sorted(picked)]


# What `_mentioned` found, kept on the statement like `_OWN_NODES`: every resource of a
# function (and every question asked of its body) indexes the same statements.
_MENTIONED = "_unleak_mentioned"


def _mentioned(s: ast.stmt) -> frozenset[str]:
    found: frozenset[str] | None = s.__dict__.get(_MENTIONED)
    if found is None:
        found = frozenset(_names_mentioned(s))
        s.__dict__[_MENTIONED] = found
    return found


def _names_mentioned(s: ast.stmt) -> set[str]:
    """The names a statement itself mentions (a nested definition: all of them)."""
    parts: list[ast.AST]
    if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        parts = [s]
    else:
        parts = list(_own_expressions(s))
        if isinstance(s, (ast.For, ast.AsyncFor)):
            parts.append(s.target)
        elif isinstance(s, (ast.With, ast.AsyncWith)):
            parts += [i.optional_vars for i in s.items if i.optional_vars is not None]
    out = {n.id for p in parts for n in walk(p) if isinstance(n, ast.Name)}
    if isinstance(s, (ast.Global, ast.Nonlocal)):
        out.update(s.names)
    return out


def value_strength(value: ast.AST, dep: Dependence, resolver: NameResolver) -> Strength:
    """How much ``value`` depends on the resource, given what ``dep`` found."""
    return _Deriver(resolver, dict(dep.names)).strength(value)


def inline_strength(value: ast.AST, call: ast.Call, resolver: NameResolver) -> Strength:
    """How much ``value`` depends on the resource acquired inline by ``call`` inside it
    (`csv.reader(open(p))`: strongly; `json.load(open(p))`: not at all)."""
    if value is call:
        return Strength.STRONG
    return _Deriver(resolver, {}, name_matters(call, resolver), call).strength(value)


def _free_names(fn: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> set[str]:
    args = fn.args
    params = {
        a.arg
        for a in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
        if a is not None
    }
    loads: set[str] = set()
    stores: set[str] = set()
    for n in walk(fn):
        if isinstance(n, ast.Name):
            (loads if isinstance(n.ctx, ast.Load) else stores).add(n.id)
    return loads - params - stores


def _raise(names: dict[str, Strength], name: str, strength: Strength) -> None:
    if strength > names.get(name, Strength.NONE):
        names[name] = strength


def _mark(
    target: ast.expr, strength: Strength, names: dict[str, Strength], roots: frozenset[str]
) -> None:
    if not strength:
        return
    for n in _bound_names(target):
        if n not in roots:
            _raise(names, n, strength)


def _bound_names(target: ast.expr) -> Iterator[str]:
    """Local names an assignment target binds: not the bases of its attributes or items
    (`self.a, self.b = load(f)` binds nothing here)."""
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, (ast.Tuple, ast.List)):
        for elt in target.elts:
            yield from _bound_names(elt)
    elif isinstance(target, ast.Starred):
        yield from _bound_names(target.value)


_CONTAINERS = (ast.List, ast.Tuple, ast.Set, ast.Dict, ast.ListComp, ast.SetComp, ast.DictComp)


def _bindings(s: ast.AST, containers: set[str]) -> Iterator[tuple[ast.expr, ast.expr | None]]:
    """(target, value) pairs a statement binds locally."""
    if isinstance(s, ast.Assign):
        for t in s.targets:
            if isinstance(t, (ast.Name, ast.Tuple, ast.List, ast.Starred)):
                yield t, s.value
    elif isinstance(s, ast.AnnAssign) and s.value is not None:
        # `version: Tuple[int, ...] = conn.server_version` says the value is plain data.
        if isinstance(s.target, ast.Name) and not plain_annotation(s.annotation):
            yield s.target, s.value
    elif isinstance(s, (ast.With, ast.AsyncWith)):
        for item in s.items:
            if item.optional_vars is not None:
                yield item.optional_vars, item.context_expr
    elif (
        isinstance(s, (ast.For, ast.AsyncFor))
        and isinstance(s.iter, ast.Name)
        and s.iter.id in containers
    ):
        # Iterating a dependent container yields its items (`for r in readers:`); items of
        # a file or reader (lines, rows) are plain data.
        yield s.target, s.iter
    for n in _own_nodes(s).named:
        yield n.target, n.value


_PLAIN_TYPES = frozenset(
    {"int", "str", "bytes", "bool", "float", "complex", "bytearray", "None"}
)
_PLAIN_CONTAINERS = frozenset(
    {"tuple", "list", "dict", "set", "frozenset", "Tuple", "List", "Dict", "Set", "FrozenSet"}
    | {"Optional", "Union"}
)


def plain_annotation(ann: ast.expr) -> bool:
    """Whether an annotation says the value is plain data: a builtin scalar, or a builtin
    container (`Tuple[int, ...]`, `dict[str, bytes]`, `Optional[str]`, `int | None`) of
    such values only. A container of anything else (`List[IO[str]]`) may hold a resource."""
    stack = [ann]
    while stack:
        e = stack.pop()
        if isinstance(e, ast.Constant) and (e.value is None or e.value is Ellipsis):
            continue
        if isinstance(e, ast.BinOp) and isinstance(e.op, ast.BitOr):
            stack += (e.left, e.right)
            continue
        if isinstance(e, ast.Subscript):
            base, args = e.value, e.slice
            stack += args.elts if isinstance(args, ast.Tuple) else [args]
            e = base
            names = _PLAIN_CONTAINERS
        else:
            names = _PLAIN_TYPES
        name = e.attr if isinstance(e, ast.Attribute) else e.id if isinstance(e, ast.Name) else ""
        if name not in names:
            return False
    return True


def plain_rebinding(stmt: ast.stmt, name: str) -> bool | None:
    """True when ``stmt`` is `name = value` with a value not built from ``name`` (the name
    then holds another object), False when it is `name = value` built from it, None when it
    is not such an assignment."""
    if not (
        isinstance(stmt, ast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], ast.Name)
        and stmt.targets[0].id == name
    ):
        return None
    return not any(isinstance(n, ast.Name) and n.id == name for n in walk(stmt.value))


def _attribute_store(s: ast.AST, holder: str) -> bool:
    """`holder.attr = value`: stored on an object, not put in a container."""
    return isinstance(s, ast.Assign) and any(
        isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == holder
        for t in s.targets
    )


def _stores(s: ast.AST) -> Iterator[tuple[str, ast.expr]]:
    """(local container name, value) for `box.append(v)`, `box[k] = v`, `stack.enter_context(v)`."""
    if isinstance(s, ast.Assign):
        for t in s.targets:
            if (
                isinstance(t, (ast.Subscript, ast.Attribute))
                and isinstance(t.value, ast.Name)
                and t.value.id not in ("self", "cls")
            ):
                yield t.value.id, s.value
    for n in _own_nodes(s).calls:
        if (
            isinstance(n.func, ast.Attribute)
            and n.func.attr in STORING_METHODS
            and isinstance(n.func.value, ast.Name)
            and n.func.value.id not in ("self", "cls")
        ):
            for a in [*n.args, *(k.value for k in n.keywords)]:
                yield n.func.value.id, a


def _own_expressions(s: ast.AST) -> list[ast.AST]:
    """The expressions a statement evaluates itself (not its nested blocks or scopes)."""
    if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return list(s.decorator_list)
    if isinstance(s, (ast.If, ast.While)):
        return [s.test]
    if isinstance(s, (ast.For, ast.AsyncFor)):
        return [s.iter]
    if isinstance(s, (ast.With, ast.AsyncWith)):
        return [i.context_expr for i in s.items]
    if isinstance(s, ast.Match):
        return [s.subject]
    if isinstance(s, ast.Try) or type(s).__name__ == "TryStar":
        return []
    if isinstance(s, ast.ExceptHandler):
        return [s.type] if s.type is not None else []
    return [s]


class _OwnNodes(NamedTuple):
    """What a statement's own expressions contain that the questions above look for, in
    `ast.walk` order."""

    named: tuple[ast.NamedExpr, ...]
    calls: tuple[ast.Call, ...]
    yields: tuple[ast.Yield | ast.YieldFrom, ...]


# A statement's own expressions are walked once, not once per resource of its function,
# fixed-point round and question (bindings, stores, escapes, pinning). What was found is kept
# on the statement (a weak mapping costs more than the walk in callbacks as trees die); trees
# are only moved (line numbers) once parsed, never restructured, so it stays right.
_OWN_NODES = "_unleak_own_nodes"


def _own_nodes(s: ast.AST) -> _OwnNodes:
    found: _OwnNodes | None = s.__dict__.get(_OWN_NODES)
    if found is None:
        named: list[ast.NamedExpr] = []
        calls: list[ast.Call] = []
        yields: list[ast.Yield | ast.YieldFrom] = []
        for node in _own_expressions(s):
            for n in walk(node):
                if isinstance(n, ast.Call):
                    calls.append(n)
                elif isinstance(n, ast.NamedExpr):
                    named.append(n)
                elif isinstance(n, (ast.Yield, ast.YieldFrom)):
                    yields.append(n)
        found = _OwnNodes(tuple(named), tuple(calls), tuple(yields))
        s.__dict__[_OWN_NODES] = found
    return found


def _escapes(stmts: Sequence[ast.AST], deriver: _Deriver, dep: Dependence) -> Iterator[Escape]:
    """Where a value derived from the resource (not the resource itself: the ownership
    analysis handles that) leaves the function."""
    roots = dep.roots
    derived = {n for n in dep.names if n not in roots}
    if not derived and not roots:
        return

    def derived_strength(e: ast.AST | None) -> Strength:
        if e is None or (isinstance(e, ast.Name) and e.id in roots):
            return Strength.NONE
        return deriver.strength(e)

    def strong(e: ast.AST | None) -> Strength:
        found = derived_strength(e)
        return found if found == Strength.STRONG else Strength.NONE

    for s in stmts:
        if isinstance(s, ast.Return) and derived_strength(s.value):
            yield Escape(s, _text(s.value), "returned")
        if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for y in _own_nodes(s).yields:
            if derived_strength(y.value):
                yield Escape(y, _text(y.value), "yielded")
        if isinstance(s, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = s.targets if isinstance(s, ast.Assign) else [s.target]
            for t in targets:
                if isinstance(t, (ast.Attribute, ast.Subscript)):
                    base = t.value
                    local = isinstance(base, ast.Name) and base.id not in ("self", "cls")
                    if not local and derived_strength(s.value):
                        yield Escape(s, _text(s.value), "stored")
        if isinstance(s, (ast.Global, ast.Nonlocal)):
            for name in s.names:
                if name in derived:
                    yield Escape(s, name, "stored")
        for call in _own_nodes(s).calls:
            # Only values known to hold the resource count when handed to a call;
            # a weak one (an unknown method's result) is usually plain data.
            yield from _passed(call, deriver, strong)


def _passed(
    call: ast.Call, deriver: _Deriver, strength_of: Callable[[ast.AST | None], Strength]
) -> Iterator[Escape]:
    """A dependent value handed to a call that may keep it."""
    func = call.func
    qual = deriver.resolver.qualify(func) if isinstance(func, (ast.Name, ast.Attribute)) else None
    if qual in PLAIN_FUNCTIONS or qual in LAZY_FUNCTIONS:
        return
    if isinstance(func, ast.Attribute):
        if func.attr in PLAIN_METHODS or func.attr in STORING_METHODS:
            return
        if deriver.strength(func.value):
            return  # a method of the resource or of a value built from it
    for a in [*call.args, *(k.value for k in call.keywords)]:
        if strength_of(a):
            yield Escape(call, _text(a), "passed")


def _text(e: ast.AST | None) -> str:
    if e is None:
        return ""
    try:
        return ast.unparse(e)
    except Exception:
        return "a value"


def loads_of(nodes: Iterable[ast.AST], names: frozenset[str]) -> list[ast.Name]:
    """Every load of one of ``names`` in ``nodes``, nested scopes included (a closure that
    refers to a name uses it when it runs)."""
    return [
        n
        for node in nodes
        for n in walk(node)
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id in names
    ]
