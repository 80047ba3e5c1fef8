"""Turns each statement into ownership effects: acquire, bind, release, escape, transfer.

Effects name variables and acquisition sites symbolically; they do not depend on the
dataflow state, so they are computed once per CFG node and replayed per resource.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Container, Generator
from dataclasses import dataclass, field
from typing import Any

from unleak.catalogue import (
    ACCEPTS_FILEOBJ,
    BORROWERS,
    BORROWING_METHODS,
    CONNECT_LATER,
    EVENT_LOOPS,
    FILEOBJ_NAMES,
    LOCKS,
    LOOP_COROUTINE_FACTORIES,
    LOOP_RUN,
    METHOD_FACTORIES,
    PATH_RETURNING_METHODS,
    PIPED_POPEN,
    REGISTRARS,
    TYPED_METHOD_FACTORIES,
    UNDOING,
    UNDONE_BY,
    Factory,
    ResourceType,
)
from unleak.flow.containers import STORING_METHODS
from unleak.names.text import callee_name, expr_text
from unleak.source.steps import Steps, drive
from unleak.source.walk import children, walk
from unleak.summaries.functions import FunctionSummary
from unleak.summaries.released_if import released_by_call
from unleak.summaries.types import (
    TypeScope,
    call_type,
    chooses_plain,
    in_memory_buffer,
    local_def,
    piped_popen,
    self_callable,
)
from unleak.summaries.wrappers import owned_arguments, takes_over

_POPEN = Factory("process")


# Methods of the instance itself that, called from `__init__`, release what it stored.
SELF_RELEASING = frozenset(
    {"close", "_close", "cleanup", "_cleanup", "shutdown", "stop", "terminate", "release",
     "__exit__", "dispose", "destroy", "abort", "disconnect"}
)  # fmt: skip


# Attributes that name what a wrapper holds: its socket, descriptor or file object.
_HANDLE_ATTRIBUTES = frozenset(
    {"handle", "_handle", "sock", "_sock", "socket", "_socket", "fp", "_fp"}
)


def _handle_of(e: ast.expr) -> bool:
    """`client.handle`: a local's attribute that names the object it wraps."""
    return (
        isinstance(e, ast.Attribute)
        and isinstance(e.value, ast.Name)
        and e.value.id != "self"
        and e.attr in _HANDLE_ATTRIBUTES
    )


def _self_attr(e: ast.expr) -> bool:
    return isinstance(e, ast.Attribute) and isinstance(e.value, ast.Name) and e.value.id == "self"


_STANDARD_STREAMS = frozenset(
    f"sys.{prefix}{name}{suffix}"
    for name in ("stdin", "stdout", "stderr")
    for prefix, suffix in (("", ""), ("__", "__"))
)
_SOCKETISH = re.compile(r"sock|serv|listen|srv", re.I)
Site = tuple[int, int, int]  # (line, byte column, tuple element or -1) of the acquiring call
Source = str | Site  # a variable name or a fresh acquisition
Sources = frozenset[Source]
EMPTY: Sources = frozenset()


@dataclass
class SiteInfo:
    site: Site
    type: ResourceType
    node: ast.Call
    var: str | None = None
    lock_key: str | None = None  # set for lock acquisitions

    @property
    def callee(self) -> str:
        return callee_name(self.node)


def _pids_written(call: ast.Call) -> Sources:
    """Names whose `.pid` a write call's arguments mention."""
    return frozenset(
        sub.value.id
        for arg in [*call.args, *(k.value for k in call.keywords)]
        for sub in walk(arg)
        if isinstance(sub, ast.Attribute)
        and sub.attr == "pid"
        and isinstance(sub.value, ast.Name)
    )


@dataclass(frozen=True)
class Val:
    sources: Sources = EMPTY
    elements: tuple[Sources, ...] | None = None


NONE = Val()


def _leaf(e: ast.expr) -> Val | None:
    """The value of an expression with no parts to evaluate; None for any other."""
    if isinstance(e, ast.Name):
        return Val(frozenset({e.id})) if isinstance(e.ctx, ast.Load) else NONE
    if isinstance(e, ast.Constant):
        return NONE
    return None


# Small tagged tuples: ("acq", site, conditional), ("bind", name, sources), ("escape", sources),
# ("pass", sources[, key]) (with a key: a registration `take_back` with that key undoes),
# ("take_back", sources, key), ("transfer", sources), ("release", sources, method), ("release_fn",
# sources, qualname), ("method", receiver, method, args), ("with", sources), ("del", name),
# ("capture", node), ("lock_acq", site, key, conditional), ("lock_rel", key), ("bind_into",
# container, sources): a local container now refers to them as well; ("adopt", sources): a
# constructor takes them over (see summaries.wrappers), its instance stands for them.
Effect = tuple[Any, ...]


@dataclass
class Scope(TypeScope):
    """What is known about a function's names before the flow analysis."""

    # A @contextmanager generator lends what it yields: it must still release it afterwards.
    lends_yields: bool = False
    global_names: set[str] = field(default_factory=set)
    lock_keys: set[str] = field(default_factory=set)  # lock expressions this function releases
    # `with lock:` blocks that release that lock for a while (`lock.release()` ... `finally:
    # lock.acquire()`): (the lock's text, the block's first and last lines). The block's exit
    # releases what an acquire() of the same lock inside it takes again.
    lock_withs: list[tuple[str, int, int]] = field(default_factory=list)
    # Lines of dropped `os.open()` calls that become the process's standard input (a daemon
    # closed descriptor 0 before, and duplicates it onto 1 and 2 after): see
    # findings.module._stdio_opens.
    stdio_opens: frozenset[int] = frozenset()
    with_targets: set[str] = field(default_factory=set)  # names bound by `async with`/`with`
    expect_raise: list[tuple[int, int]] = field(default_factory=list)  # assertRaises bodies
    containers: set[str] = field(default_factory=set)  # local lists/dicts it makes (containers)
    # It closes a process's pipes by hand (`proc.stdout.close()`): there wait() ends a
    # process started with pipes, as for any other.
    pipes_closed: bool = False
    # A class's `__init__`: what it stores on `self` is the instance's once it returns, but
    # nobody can release it if `__init__` raises (the caller never gets the instance).
    init_owner: bool = False
    # A pytest fixture that returns its value (not a generator): pytest never closes what a
    # fixture returns, so returning a resource hands it to nobody. `fixture_objects` are the
    # names it binds to objects it makes (`worker = Mock()`): a resource stored on one of them
    # (`worker.loop = new_event_loop()`) is returned with it.
    fixture_returns: bool = False
    fixture_objects: set[str] = field(default_factory=set)
    # Module-level code: the names the module keeps for its life (flow/module_names.py);
    # None: every module-level name (class bodies, or a module that reaches its globals by
    # name).
    module_owned: Container[str] | None = None
    # Names bound to an instance of another module's class that took over a resource given
    # to its constructor (`s = fdspawn(fd)`) -> its methods that release that resource.
    wrappers: dict[str, frozenset[str]] = field(default_factory=dict)

    def stores_global(self, name: str) -> bool:
        """Whether binding ``name`` here hands a resource to a global that outlives the code."""
        if name in self.global_names:
            return True
        return self.module_scope and (self.module_owned is None or name in self.module_owned)

    def keeps_container(self, name: str) -> bool:
        """Whether module-level code stores into a container the module keeps (exported,
        read by its functions, a constant): a registry, whose items live as long as the
        module. Asked only when a resource is stored (finding the owned names walks the
        module)."""
        return self.module_scope and self.module_owned is not None and name in self.module_owned

    def expects_raise(self, line: int) -> bool:
        return any(first <= line <= last for first, last in self.expect_raise)


class EffectBuilder:
    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.sites: dict[Site, SiteInfo] = {}
        self.effects: list[Effect] = []
        self.release_names = scope.catalogue.release_methods()
        self._arg_depth = 0  # inside the arguments of a call
        # Calls whose coroutine is run here (`await c(...)`, `loop.run_until_complete(c(...))`).
        self._awaited: set[int] = set()
        # Awaited calls whose result the statement drops (`await websocket.accept()`).
        self._dropped_awaits: set[int] = set()

    # -- statements -----------------------------------------------------------------------

    def statement(self, node: ast.AST, kind: str, target: ast.expr | None = None) -> list[Effect]:
        self.effects = []
        if kind == "iter":
            assert isinstance(node, (ast.For, ast.AsyncFor))
            self._assign_iter(node.target, node.iter)
        elif kind == "with":
            assert isinstance(node, ast.withitem)
            val = self.expr(node.context_expr)
            self.effects.append(("with", val.sources))
            if node.optional_vars is not None:
                self._assign(node.optional_vars, val, with_target=True)
        elif kind == "test":
            assert isinstance(node, ast.expr)
            self.expr(node)
        else:
            self._stmt(node)
        return self.effects

    def _stmt(self, s: ast.AST) -> None:
        if isinstance(s, ast.Assign):
            val = self.expr(s.value)
            for t in s.targets:
                self._assign(t, val)
                if not isinstance(t, ast.Name) and isinstance(s.value, ast.Attribute):
                    # `self._write = out.write`: the bound method keeps `out` alive there.
                    root: ast.expr = s.value
                    while isinstance(root, ast.Attribute):
                        root = root.value
                    if isinstance(root, ast.Name):
                        self._escape(frozenset({root.id}))
        elif isinstance(s, ast.AnnAssign):
            if s.value is not None:
                self._assign(s.target, self.expr(s.value))
        elif isinstance(s, ast.AugAssign):
            val = self.expr(s.value)
            if not isinstance(s.target, ast.Name):
                self.expr(s.target.value) if isinstance(
                    s.target, (ast.Attribute, ast.Subscript)
                ) else None
            self._escape(val.sources)
        elif isinstance(s, ast.Expr):
            value = s.value
            if (
                isinstance(value, ast.Call)
                and isinstance(value.func, ast.Attribute)
                and value.func.attr == "pop_all"
                and not value.args
                and self._type_of(value.func.value) == "exit_stack"
            ):
                # `stack.pop_all()`, its new stack dropped: the documented way to cancel an
                # ExitStack's callbacks; what they would have released stays with whoever
                # else has it (returned, stored). Not a stack left unclosed.
                self.expr(value.func.value)
            else:
                if isinstance(value, ast.Await):
                    self._dropped_awaits.add(id(value.value))
                self.expr(value)
        elif isinstance(s, ast.Return):
            if s.value is not None:
                sources = self.expr(s.value).sources
                if self.scope.fixture_returns:
                    if sources:
                        self.effects.append(("fixture_return", sources))
                else:
                    self._escape(sources)
        elif isinstance(s, ast.Delete):
            for t in s.targets:
                if isinstance(t, ast.Name):
                    self.effects.append(("del", t.id))
                else:
                    self.expr(t)
        elif isinstance(s, ast.Raise):
            if s.exc is not None:
                self._escape(self.expr(s.exc).sources)
            if s.cause is not None:
                self.expr(s.cause)
        elif isinstance(s, ast.Assert):
            self.expr(s.test)
            if s.msg is not None:
                self.expr(s.msg)
        elif isinstance(s, (ast.Global, ast.Nonlocal)):
            pass
        elif isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for d in s.decorator_list:
                self.expr(d)
            self._capture(s)
            self.effects.append(("bind", s.name, EMPTY))
        elif isinstance(s, (ast.Import, ast.ImportFrom)):
            for alias in s.names:
                name = (alias.asname or alias.name).split(".")[0]
                self.effects.append(("bind", name, EMPTY))
        elif isinstance(s, ast.ExceptHandler):
            if s.name:
                self.effects.append(("bind", s.name, EMPTY))
        elif isinstance(s, ast.pattern):
            for sub in walk(s):
                bound = getattr(sub, "name", None)
                if isinstance(bound, str):
                    self.effects.append(("bind", bound, EMPTY))
        elif isinstance(s, ast.expr):
            self.expr(s)

    def _assign_iter(self, target: ast.expr, iterable: ast.expr) -> None:
        # Iterating a tuple/list of resources (or a container variable) yields the resources;
        # iterating a resource itself (a file) yields lines, not the resource.
        if isinstance(iterable, (ast.Tuple, ast.List, ast.Set)):
            val = Val(self._sources_only(iterable))
        elif isinstance(iterable, ast.Name) and iterable.id not in self.scope.var_types:
            val = Val(frozenset({iterable.id}))
        else:
            val = NONE
        self._assign(target, val)

    def _sources_only(self, expr: ast.expr) -> Sources:
        """Sources of an expression already evaluated elsewhere (no new effects)."""
        saved = self.effects
        self.effects = []
        try:
            return self.expr(expr).sources
        finally:
            self.effects = saved

    def _assign(self, target: ast.expr, val: Val, with_target: bool = False) -> None:
        if isinstance(target, ast.Name):
            if self.scope.stores_global(target.id) and (
                not with_target or target.id in self.scope.global_names
            ):
                self._escape(val.sources)
            else:
                self.effects.append(("bind", target.id, val.sources))
        elif isinstance(target, (ast.Tuple, ast.List)):
            elts = target.elts
            if val.elements is not None and len(val.elements) == len(elts):
                for t, srcs in zip(elts, val.elements, strict=False):
                    self._assign(t, Val(srcs), with_target)
            else:
                self._escape(val.sources)
                for t in elts:
                    self._assign(t.value if isinstance(t, ast.Starred) else t, NONE, with_target)
        elif isinstance(target, ast.Starred):
            self._assign(target.value, val, with_target)
        else:
            # Attribute or subscript store: ownership moves to the object or container.
            if self.scope.init_owner and _self_attr(target):
                assert isinstance(target, ast.Attribute)
                self.effects.append(("bind", f"self.{target.attr}", val.sources))
                return
            if (
                isinstance(target, ast.Attribute)
                and isinstance(target.value, ast.Name)
                and target.value.id in self.scope.fixture_objects
            ):
                if val.sources:  # `worker.loop = loop` on an object the fixture made
                    self.effects.append(("bind_into", target.value.id, val.sources))
                return
            if isinstance(target, (ast.Attribute, ast.Subscript)):
                self.expr(target.value)
                if isinstance(target, ast.Subscript):
                    self.expr(target.slice)
            if (
                isinstance(target, ast.Subscript)
                and isinstance(target.value, ast.Name)
                and target.value.id in self.scope.containers
            ):
                if val.sources and self.scope.keeps_container(target.value.id):
                    self._escape(val.sources)  # `REGISTRY[key] = f`: the module keeps it
                elif val.sources:  # `by_name[key] = f` in a dict of its own
                    self.effects.append(("bind_into", target.value.id, val.sources))
                return
            self._escape(val.sources)

    def _escape(self, sources: Sources) -> None:
        if sources:
            self.effects.append(("escape", sources))

    def _capture(self, node: ast.AST) -> None:
        """A nested function or lambda that refers to a resource variable may keep it.

        The names it uses are only collected if a held resource reaches this point."""
        self.effects.append(("capture", node))

    # -- expressions ----------------------------------------------------------------------

    def expr(self, e: ast.expr) -> Val:
        """The value of an expression, its effects appended in evaluation order. Evaluated
        by steps (see `source.steps`), never by recursion: `x(1)(1)...` or `x[0][0]...`
        may nest 2,000 deep."""
        value = _leaf(e)
        return value if value is not None else drive(self._steps(e), self._steps, _leaf)

    def _steps(self, e: ast.expr) -> Steps[ast.expr, Val]:
        """The evaluation of one expression: yields each subexpression it evaluates (in order)
        and gets its value back; returns the expression's value."""
        if isinstance(e, ast.Call):
            return (yield from self._call(e))
        if isinstance(e, ast.Await):
            self._awaited.add(id(e.value))
            return (yield e.value)
        if isinstance(e, ast.Attribute):
            if self.scope.init_owner and _self_attr(e) and isinstance(e.ctx, ast.Load):
                return Val(frozenset({f"self.{e.attr}"}))  # what `__init__` stored there
            if (
                e.attr == LOCKS.release
                and self._arg_depth
                and (lock := self._lock_key(e.value)) is not None
            ):
                # `ThreadResult(result, hub, semaphore.release)`: the bound release handed to
                # a call, which calls it when the work is done (gevent's ThreadPool.spawn).
                self.effects.append(("lock_rel", lock))
                return NONE
            # Down a chain (`x.a.b.c`) in one step: only the innermost attribute has a base
            # with sources (an attribute's value is NONE).
            inner: ast.Attribute = e
            while isinstance(inner.value, ast.Attribute):
                inner = inner.value
            base = yield inner.value
            if inner.attr in self.release_names and base.sources:
                # Handing out the bound release method (`callback(f.close)`) releases `f`.
                self.effects.append(("release", base.sources, inner.attr))
            return NONE
        if isinstance(e, (ast.Tuple, ast.List, ast.Set)):
            vals: list[Val] = []
            for x in e.elts:
                vals.append((yield x))
            srcs: Sources = frozenset().union(*(v.sources for v in vals)) if vals else EMPTY
            return Val(srcs, tuple(v.sources for v in vals))
        if isinstance(e, ast.Dict):
            out: set[Source] = set()
            for k in e.keys:
                if k is not None:
                    out |= (yield k).sources
            for v in e.values:
                out |= (yield v).sources
            return Val(frozenset(out))
        if isinstance(e, ast.IfExp):
            yield e.test
            a = yield e.body
            b = yield e.orelse
            return Val(a.sources | b.sources)
        if isinstance(e, ast.BoolOp):
            out2: set[Source] = set()
            for v2 in e.values:
                out2 |= (yield v2).sources
            return Val(frozenset(out2))
        if isinstance(e, ast.NamedExpr):
            val = yield e.value
            self.effects.append(("bind", e.target.id, val.sources))
            return Val(frozenset({e.target.id}))
        if isinstance(e, ast.Subscript):
            base = yield e.value
            yield e.slice
            index = e.slice.value if isinstance(e.slice, ast.Constant) else None
            if (
                base.elements is not None
                and isinstance(index, int)
                and -len(base.elements) <= index < len(base.elements)
            ):
                return Val(base.elements[index])
            if isinstance(e.value, ast.Name) and e.value.id in self.scope.var_types:
                return NONE  # an item of a resource (`store[key]`), not the resource
            return Val(base.sources)
        if isinstance(e, ast.Starred):
            return (yield e.value)
        if isinstance(e, (ast.Yield, ast.YieldFrom)):
            if e.value is not None:
                yielded = (yield e.value).sources
                if not self.scope.lends_yields:
                    self._escape(yielded)
            return NONE
        if isinstance(e, ast.Lambda):
            self._capture(e.body)
            return NONE
        if isinstance(e, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            for gen in e.generators:
                yield gen.iter
                # Not `yield from gen.ifs`: a list iterator cannot be sent the values.
                for cond in gen.ifs:  # noqa: UP028
                    yield cond
            if isinstance(e, ast.DictComp):
                key = yield e.key
                elements = key.sources | (yield e.value).sources
            else:
                elements = (yield e.elt).sources
            if isinstance(e, ast.GeneratorExp):
                self._escape(elements)  # lazy: whoever iterates it gets them
                return NONE
            return Val(elements)  # the new list, set or dict holds them
        # Anything else (`a + b`, `x < y`, f-strings) only evaluates its parts, in order.
        for child in children(e):
            if isinstance(child, ast.expr):
                yield child
        return NONE

    # -- calls ----------------------------------------------------------------------------

    def _args(self, call: ast.Call) -> Generator[ast.expr, Val, tuple[list[Val], dict[str, Val]]]:
        # The depth stays raised while this step waits for its arguments' steps.
        pos: list[Val] = []
        kw: dict[str, Val] = {}
        self._arg_depth += 1
        try:
            for a in call.args:
                if _handle_of(a):
                    # `Connection(client.handle, ...)`: a wrapper's handle, handed on, is
                    # what the wrapper holds (thrift's accepted TSocket in TNonblockingServer).
                    pos.append(Val((yield a.value).sources))  # type: ignore[attr-defined]
                else:
                    pos.append((yield a))
            for k in call.keywords:
                kw[k.arg or "**"] = yield k.value
        finally:
            self._arg_depth -= 1
        return pos, kw

    def _call(self, call: ast.Call) -> Steps[ast.expr, Val]:
        func = call.func
        scope = self.scope
        if isinstance(func, ast.Attribute) and func.attr in ("write", "writelines"):
            # `pidfile.write(str(p.pid))`: the process is recorded for whoever reads the
            # pidfile to manage (a daemon started to outlive this code).
            self._escape(_pids_written(call))
        qual = scope.resolver.qualify(func) if isinstance(func, (ast.Name, ast.Attribute)) else None
        via_self: str | None = None
        if qual is None:
            # `self.opener(...)` with `opener=open`, `self.stream_factory(...)` with a
            # function of this module as its default
            qual = self_callable(func, scope)
            via_self = local_def(qual, scope)
        if isinstance(func, ast.Attribute):
            method = func.attr
            lock_key = (
                self._lock_key(func.value) if method in (LOCKS.acquire, LOCKS.release) else None
            )
            recv = yield func.value
            if (
                scope.init_owner
                and method in SELF_RELEASING
                and isinstance(func.value, ast.Name)
                and func.value.id == "self"
            ):
                self.effects.append(("method", recv.sources, method, EMPTY))
        else:
            method, lock_key, recv = "", None, NONE
            if not isinstance(func, ast.Name):
                yield func
        if method == LOOP_RUN and len(call.args) == 1:
            self._awaited.add(id(call.args[0]))
        pos, kw = yield from self._args(call)
        all_args = _union(pos, kw)
        if lock_key is not None:
            if method == LOCKS.acquire:
                if self._arg_depth:
                    # `create_task(lock.acquire())`: the coroutine acquires in another task.
                    return NONE
                return self._lock_acquire(call, lock_key)
            self.effects.append(("lock_rel", lock_key))
            return NONE
        if qual is not None:
            known = self._qualified_call(call, qual, pos, kw, all_args)
            if known is not None:
                return known
        if via_self is not None:
            local = self._local_call(call, via_self, pos, kw, all_args)
            if local is not None:
                return local
        if isinstance(func, ast.Attribute):
            return self._method_call(call, func, recv, pos, kw, all_args)
        if isinstance(func, ast.Name) and func.id in scope.resolver.module_defs:
            local = self._local_call(call, func.id, pos, kw, all_args)
            if local is not None:
                return local
        if all_args:
            self.effects.append(("pass", all_args))
        return NONE

    def _qualified_call(
        self, call: ast.Call, qual: str, pos: list[Val], kw: dict[str, Val], all_args: Sources
    ) -> Val | None:
        """Calls the catalogue knows by their qualified name (None: not one of them)."""
        scope = self.scope
        factory = scope.catalogue.factories.get(qual)
        if factory is not None:
            if qual in ACCEPTS_FILEOBJ and self._given_fileobj(call):
                return NONE  # wraps the caller's file object: nothing of its own to release
            if qual in CONNECT_LATER and not call.args and not call.keywords:
                return NONE  # `SMTP()` without a host connects only in connect()
            if any(
                k.arg == "closefd" and isinstance(k.value, ast.Constant) and not k.value.value
                for k in call.keywords
            ):
                return NONE  # `closefd=False`: the descriptor stays the caller's
            if qual == "subprocess.Popen" and piped_popen(call, scope.resolver):
                factory = PIPED_POPEN
            return self._acquire(call, factory, pos, kw)
        ext = scope.summaries.external.get(qual)
        if ext is not None:
            return self._apply_summary(call, ext, pos, kw)
        if qual == "typing.cast" and len(pos) == 2:
            return pos[1]  # returns its argument
        if qual == "builtins.memoryview" and len(pos) == 1 and not kw:
            return pos[0]  # a buffer export: whoever holds the view keeps the object open
        if qual in scope.catalogue.release_functions:
            self.effects.append(("release_fn", all_args, qual))
            return NONE
        if qual in REGISTRARS:
            self._escape(all_args)
            return NONE
        if qual in BORROWERS:
            return NONE
        return None

    def _local_call(
        self, call: ast.Call, name: str, pos: list[Val], kw: dict[str, Val], all_args: Sources
    ) -> Val | None:
        scope = self.scope
        if name in scope.var_types:
            return None
        summary = scope.summaries.functions.get(name)
        if summary is not None:
            return self._apply_summary(call, summary, pos, kw)
        type_name = f"class:{name}"
        if type_name in scope.catalogue.types:
            self._escape(all_args)
            return self._acquire(call, Factory(type_name), pos, kw)
        if all_args and name in scope.summaries.class_defs:
            ctor = scope.summaries.constructors.get(name)
            if ctor is not None:
                return self._apply_summary(call, ctor, pos, kw)
        return None

    def _method_call(
        self,
        call: ast.Call,
        func: ast.Attribute,
        recv: Val,
        pos: list[Val],
        kw: dict[str, Val],
        all_args: Sources,
    ) -> Val:
        scope = self.scope
        method = func.attr
        recv_node = func.value
        rtype = self._type_of(recv_node)
        typed = TYPED_METHOD_FACTORIES.get((rtype or "", method))
        if typed is not None:
            if method in LOOP_COROUTINE_FACTORIES and id(call) not in self._awaited:
                # A coroutine not run here (`create_task(loop.create_connection(...))`).
                if all_args:
                    self.effects.append(("pass", all_args))
                return NONE
            return self._acquire(call, typed, pos, kw)
        if method in METHOD_FACTORIES and (method != "pop_all" or rtype == "exit_stack"):
            return self._acquire(call, METHOD_FACTORIES[method], pos, kw)
        if (
            method == "accept"
            and not call.args
            and rtype is None
            # An awaited accept() whose result is dropped is a handshake, not a new socket
            # (`await websocket.accept()` returns None); trio's `await sock.accept()` is one.
            and id(call) not in self._dropped_awaits
            and isinstance(recv_node, (ast.Name, ast.Attribute))
            and _SOCKETISH.search(expr_text(recv_node))
        ):
            return self._acquire(call, Factory("socket", elements=("socket", None)), pos, kw)
        summary = self._method_summary(recv_node, method)
        if summary is not None:
            return self._apply_summary(call, summary, pos, kw)
        if (
            isinstance(recv_node, ast.Name)
            and method in scope.wrappers.get(recv_node.id, ())
            and recv.sources
        ):
            # `s.close()` of `s = fdspawn(fd)`: releases the descriptor it took over.
            self.effects.append(("release", recv.sources, None))
            if all_args:
                self.effects.append(("pass", all_args))
            return NONE
        if isinstance(recv_node, ast.Name) and recv_node.id in scope.instances:
            # `rm = ResourceManager(); fp = rm.open(name)`: a method returning a fresh
            # resource; what it does to its arguments is not known here.
            made = scope.summaries.instance_method(scope.instances[recv_node.id], method)
            if (
                made is not None
                and made.returns is not None
                and not (made.released_if and released_by_call(call, made.released_if))
            ):
                if all_args:
                    self.effects.append(("pass", all_args))
                factory = Factory(made.returns, elements=made.return_elements)
                return self._acquire(call, factory, pos, {})
            known = scope.summaries.external.get(f"{scope.instances[recv_node.id]}.{method}")
            if known is not None and known.returns is None and (known.params or known.kwonly):
                # `fu.save(buff)`: what another module's method does to its arguments.
                if recv.sources:
                    self.effects.append(("method", recv.sources, method, EMPTY))
                return self._apply_summary(call, known, pos, kw)
        if (
            method in STORING_METHODS
            and isinstance(recv_node, ast.Name)
            and recv_node.id in scope.containers
        ):
            # `files.append(f)` into a list of its own: the list now refers to it too.
            if all_args and scope.keeps_container(recv_node.id):
                self._escape(all_args)  # a module-level registry the module keeps
            elif all_args:
                self.effects.append(("bind_into", recv_node.id, all_args))
            return NONE
        if recv.sources:
            # `resp.read()` without a size reads to the end and closes an HTTP response.
            name = "read()" if method == "read" and not call.args and not call.keywords else method
            self.effects.append(("method", recv.sources, name, all_args))
        if method == LOOP_RUN and rtype in EVENT_LOOPS and len(pos) == 1 and not kw:
            return pos[0]  # the coroutine's result
        rt = scope.catalogue.types.get(rtype or "")
        if rt is not None:
            if method in rt.owning_methods:
                self._escape(all_args)
            return NONE
        if (
            method in BORROWING_METHODS
            or method in self.release_names
            or method.startswith("assert")
        ):
            return NONE
        if pos and (method in UNDONE_BY or method in UNDOING):
            # `log.addHandler(h)` lends `h` until `log.removeHandler(h)` takes it back.
            key = (expr_text(recv_node), UNDONE_BY.get(method, method))
            tag = "pass" if method in UNDONE_BY else "take_back"
            if pos[0].sources:
                self.effects.append((tag, pos[0].sources, key))
            rest = _union(pos[1:], kw)
            if rest:
                self.effects.append(("pass", rest))
            return NONE
        if all_args:
            # An unknown method may keep what it is given (self.files.append(f)).
            self.effects.append(("pass", all_args))
        return NONE

    def _given_fileobj(self, call: ast.Call) -> bool:
        if any(k.arg == "fileobj" for k in call.keywords):
            return True
        for arg in call.args[1:]:
            # `GzipFile(None, "rb", 9, fileobj)`: a file object in another position.
            if isinstance(arg, ast.Name) and arg.id in FILEOBJ_NAMES:
                return True
        first = call.args[0] if call.args else None
        if isinstance(first, ast.Name):
            return first.id in self.scope.var_types or first.id in FILEOBJ_NAMES
        if isinstance(first, ast.Call):
            return in_memory_buffer(first, self.scope) or call_type(first, self.scope) in (
                "file",
                "socket",
            )
        return False

    def _acquire(self, call: ast.Call, factory: Factory, pos: list[Val], kw: dict[str, Val]) -> Val:
        if self.scope.expects_raise(call.lineno):
            return NONE  # inside `with self.assertRaises(...)`: expected to fail
        if factory.type == "fd" and call.lineno in self.scope.stdio_opens:
            return NONE  # descriptor 0 again: the process's stdin, on purpose
        if factory.type == PIPED_POPEN.type and self.scope.pipes_closed:
            factory = _POPEN
        if self._over_a_stream(call, factory):
            return NONE  # `XMLWriter(sys.stdout)`: it opens only a path
        owned: set[Source] = set()
        for key in factory.owns_args:
            v = (
                pos[key]
                if isinstance(key, int) and key < len(pos)
                else kw.get(str(key))
                if isinstance(key, str)
                else None
            )
            if v is not None:
                owned |= v.sources
        # Other arguments (paths, modes, fileobj= of a non-owning wrapper) are borrowed.
        if owned:
            self.effects.append(("transfer", frozenset(owned)))
        if factory.wrapper and not self._is_resourceful(owned):
            return NONE
        types = factory.elements or (factory.type,)
        sites: list[Sources] = []
        all_sites: set[Source] = set()
        for i, tname in enumerate(types):
            if tname is None:
                sites.append(EMPTY)
                continue
            rtype = self.scope.catalogue.types.get(tname)
            if rtype is None:
                sites.append(EMPTY)
                continue
            site: Site = (call.lineno, call.col_offset, i if factory.elements else -1)
            self.sites.setdefault(site, SiteInfo(site, rtype, call))
            self.effects.append(("acq", site, False))
            sites.append(frozenset({site}))
            all_sites.add(site)
        if factory.elements:
            return Val(frozenset(all_sites), tuple(sites))
        return Val(frozenset(all_sites))

    def _over_a_stream(self, call: ast.Call, factory: Factory) -> bool:
        """A class that opens only a path, given a stream there (see
        `ResourceType.path_or_stream`): a standard stream, an in-memory buffer or a name
        known to be an open file or socket."""
        rtype = self.scope.catalogue.types.get(factory.type)
        chosen = rtype.path_or_stream if rtype is not None else None
        if chosen is None:
            return False
        name, position = chosen
        arg = next((k.value for k in call.keywords if k.arg == name), None)
        if arg is None and 0 <= position < len(call.args):
            arg = call.args[position]
        if arg is None or isinstance(arg, ast.Starred):
            return False
        while isinstance(arg, ast.Attribute) and arg.attr == "buffer":
            arg = arg.value  # `sys.stdout.buffer`
        if isinstance(arg, (ast.Name, ast.Attribute)):
            qual = self.scope.resolver.qualify(arg)
            if qual in _STANDARD_STREAMS:
                return True
            return isinstance(arg, ast.Name) and self.scope.var_types.get(arg.id) in (
                "file",
                "socket",
            )
        return in_memory_buffer(arg, self.scope)

    def _is_resourceful(self, sources: set[Source]) -> bool:
        # A name whose known type is a resource (not an in-memory buffer or a path).
        types = self.scope.catalogue.types
        return any(
            isinstance(s, tuple) or self.scope.var_types.get(s, "") in types for s in sources
        )

    def _apply_summary(
        self, call: ast.Call, summary: FunctionSummary, pos: list[Val], kw: dict[str, Val]
    ) -> Val:
        adopted: set[Source] = set()
        owned = (
            {id(n): p for p, n in owned_arguments(call, summary.owns, summary.params)}
            if summary.owns
            else {}
        )
        for i, v in enumerate(pos):
            effect = summary.param_effect(i, None)
            if id(call.args[i]) in owned:
                effect = self._owned(summary, owned[id(call.args[i])], call.args[i], v, adopted)
            elif effect == "opens":
                effect = self._opened(call.args[i])
            elif effect == "escape" and i < len(summary.params):
                effect = self._kept(summary, summary.params[i], call.args[i])
            self._param_effect(effect, v.sources)
        for k, v in kw.items():
            effect = summary.param_effect(None, k)
            node = next((x.value for x in call.keywords if x.arg == k), None)
            if node is not None and id(node) in owned:
                effect = self._owned(summary, k, node, v, adopted)
            elif effect == "opens":
                effect = self._opened(node) if node is not None else "escape"
            elif effect == "escape" and node is not None:
                effect = self._kept(summary, k, node)
            self._param_effect(effect, v.sources)
        if (
            summary.returns is not None
            and not chooses_plain(call, summary, self.scope)
            and not (summary.released_if and released_by_call(call, summary.released_if))
        ):
            return self._acquire(
                call, Factory(summary.returns, elements=summary.return_elements), pos, {}
            )
        if adopted:
            # The instance is what it took over in new clothes: releasing it releases that.
            self.effects.append(("adopt", frozenset(adopted)))
            return Val(frozenset(adopted))
        return NONE

    def _opened(self, node: ast.expr) -> str:
        """A parameter only given to `open()` as what to open: a descriptor is taken over, a
        stream (a file object, a socket: `open()` cannot take one) is borrowed."""
        rtype = self.scope.catalogue.types.get(self._type_of(node) or "")
        if rtype is not None and rtype.release and not rtype.release_functions:
            return "borrow"
        return "escape"

    def _kept(self, summary: FunctionSummary, param: str, node: ast.expr) -> str:
        """A parameter a plain class keeps, calling only release-named methods on it: a
        socket it only shuts down (`shutdown()` releases a pool, not a socket) is borrowed."""
        names = summary.released_via.get(param)
        if not names:
            return "escape"
        rtype = self.scope.catalogue.types.get(self._type_of(node) or "")
        if rtype is None or not rtype.release or rtype.release & names:
            return "escape"
        return "borrow"

    def _owned(
        self, summary: FunctionSummary, param: str, node: ast.expr, v: Val, adopted: set[Source]
    ) -> str:
        """What a class taking over ``param`` does to the argument ``node``: takes it over
        when it can release a resource of its type ("adopt", the instance then stands for
        it), borrows it when it keeps only its descriptor, else keeps it as any unknown
        callable would."""
        rtype = self.scope.catalogue.types.get(self._type_of(node) or "")
        if rtype is None or not v.sources:
            return "escape"
        if takes_over(rtype, summary.owns[param]):
            adopted.update(v.sources)
            return "adopt"
        if param in summary.converts and rtype.release:
            return "borrow"  # `fd = fd.fileno()`: the object itself stays the caller's
        return "escape"

    def _param_effect(self, effect: str, sources: Sources) -> None:
        if not sources:
            return
        if effect == "release":
            self.effects.append(("release", sources, None))
        elif effect == "wait":
            self.effects.append(("release", sources, "wait"))
        elif effect == "escape":
            self.effects.append(("pass", sources))

    def _method_summary(self, recv: ast.expr, method: str) -> FunctionSummary | None:
        if self.scope.class_name and isinstance(recv, ast.Name) and recv.id in ("self", "cls"):
            cls = self.scope.summaries.classes.get(self.scope.class_name)
            if cls is not None:
                found: FunctionSummary | None = cls.methods.get(method)
                return found
        return None

    # -- locks ----------------------------------------------------------------------------

    def _lock_key(self, recv: ast.expr) -> str | None:
        if not isinstance(recv, (ast.Name, ast.Attribute)):
            return None
        text = expr_text(recv)
        if text in self.scope.lock_keys:
            return text
        if self._type_of(recv) == "lock":
            return text
        return None

    def _lock_acquire(self, call: ast.Call, key: str) -> Val:
        line = call.lineno
        if any(k == key and first <= line <= last for k, first, last in self.scope.lock_withs):
            # Taken again inside `with key:` after releasing it for a while (as
            # `Condition.wait()` does): the `with` releases it on every path out.
            return NONE
        site: Site = (call.lineno, call.col_offset, -2)
        lock_type = ResourceType("lock", "lock", frozenset({LOCKS.release}), supports_with=True)
        self.sites.setdefault(site, SiteInfo(site, lock_type, call, lock_key=key))
        conditional = _conditional_acquire(call)
        self.effects.append(("lock_acq", site, key, conditional))
        # Its result names the acquisition (`ok = lock.acquire()`): a blocking acquire returns
        # True, so where `ok` is falsy, this acquire did not run.
        return Val(frozenset({site}))

    # -- light type inference -------------------------------------------------------------

    def _type_of(self, e: ast.expr) -> str | None:
        scope = self.scope
        if isinstance(e, ast.Name):
            if e.id in scope.var_types:
                return scope.var_types[e.id]
            qual = scope.resolver.qualify(e)
            return scope.summaries.module_types.get(qual or "") if qual else None
        if isinstance(e, ast.Attribute):
            text = expr_text(e)
            if text in scope.attr_types:
                return scope.attr_types[text]
            if e.attr in PATH_RETURNING_METHODS and self._type_of(e.value) == "pathlib.Path":
                return "pathlib.Path"
            return None
        if isinstance(e, ast.BinOp) and isinstance(e.op, ast.Div):
            if self._type_of(e.left) == "pathlib.Path":
                return "pathlib.Path"
            return None
        if isinstance(e, ast.Call):
            return call_type(e, scope)
        return None


def _conditional_acquire(call: ast.Call) -> bool:
    """`acquire(False)`, `acquire(blocking=False)` and `acquire(timeout=...)` may fail."""
    if call.args:
        first = call.args[0]
        if not (isinstance(first, ast.Constant) and first.value is True):
            return True
        if len(call.args) > 1:
            return True
    for k in call.keywords:
        if k.arg == "timeout":
            return True
        if k.arg == "blocking" and not (
            isinstance(k.value, ast.Constant) and k.value.value is True
        ):
            return True
    return False


def _union(pos: list[Val], kw: dict[str, Val]) -> Sources:
    out: set[Source] = set()
    for v in pos:
        out |= v.sources
    for v in kw.values():
        out |= v.sources
    return frozenset(out)


_CAPTURED: dict[int, tuple[ast.AST, frozenset[str]]] = {}


def captured_names(node: ast.AST) -> frozenset[str]:
    """Names a nested function or lambda loads (cached by node identity)."""
    hit = _CAPTURED.get(id(node))
    if hit is not None and hit[0] is node:
        return hit[1]
    names = frozenset(
        n.id for n in walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
    )
    if len(_CAPTURED) > 4096:
        _CAPTURED.clear()
    _CAPTURED[id(node)] = (node, names)
    return names
