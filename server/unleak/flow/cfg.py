"""Control-flow graphs with exception edges, one per function (or module/class body).

Nodes are statement-level. `finally` bodies are copied once per way out of the `try` (fall
through, exception, return, break, continue) so that each copy knows where it continues;
copies are built lazily, only for the ways out that occur.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field

from unleak.catalogue import BENIGN_METHODS
from unleak.source.walk import children, walk

# Node kinds.
STMT = "stmt"  # a simple statement (or the evaluating part of a compound one)
TEST = "test"  # evaluates `expr`; successors: [true, false]
WITH = "with"  # evaluates a with item and binds its target
ITER = "iter"  # for-loop head: takes the next element and binds the target
JUMP = "jump"  # return/break/continue marker, carries an event for explanations
NOP = "nop"
EXIT = "exit"  # normal end of the function (fall-through or return)
RAISE_EXIT = "raise_exit"  # an exception leaves the function
TERMINATE = "terminate"  # the process ends (sys.exit, os._exit)

Event = tuple[str, int]  # (kind, line): ("return", 7), ("exception", 5), ("break", 9), ...


_Expr = ast.expr  # the field named `ast` below shadows the module inside the class


@dataclass(eq=False)
class Node:
    id: int
    kind: str
    ast: ast.AST | None = None
    line: int = 0
    succ: list[int] = field(default_factory=list)
    exc: int | None = None  # where an exception raised here goes
    # Where `asyncio.CancelledError` raised at an `await` here goes, when a handler on the
    # way catches only `Exception` (cancellation is a BaseException): it skips that handler.
    cancel: int | None = None
    exc_event: str = "exception"  # "exception", "raise" or "yield"
    event: Event | None = None  # for JUMP nodes
    target: _Expr | None = None  # ITER/WITH binding target
    is_async: bool = False
    first_iteration: bool = False  # ITER node of a loop's first `next()`
    loop: tuple[int, int] | None = None  # break/continue: the lines of the loop it leaves
    cleanup: bool = False  # inside a `finally` body
    repeats: bool = False  # TEST of a loop's condition or inside a loop: evaluated again


_NEVER_RAISE = (
    ast.Pass,
    ast.Global,
    ast.Nonlocal,
    ast.Break,
    ast.Continue,
    ast.ExceptHandler,
    ast.pattern,
)
_RAISING = (ast.Call, ast.Await, ast.Yield, ast.YieldFrom, ast.Subscript, ast.Raise, ast.Assert)


_BENIGN_CALLS = frozenset(
    {"isinstance", "issubclass", "hasattr", "callable", "id", "type", "len", "range", "print"}
)


def can_raise(node: ast.AST, safe: Callable[[ast.Call], bool] | None = None) -> bool:
    """Whether the statement or expression may raise; ``safe`` names calls that cannot
    (beside a few builtins)."""
    if isinstance(node, (ast.Raise, ast.Assert, ast.Import, ast.ImportFrom)):
        return True
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        # Defining runs only the decorators, defaults and bases, not the body.
        heads: list[ast.AST] = list(node.decorator_list)
        if isinstance(node, ast.ClassDef):
            heads += node.bases
        else:
            heads += [*node.args.defaults, *(d for d in node.args.kw_defaults if d is not None)]
        return any(can_raise(h) for h in heads)
    for sub in _walk_shallow(node):
        if isinstance(sub, ast.Call) and (_benign(sub) or (safe is not None and safe(sub))):
            continue
        if isinstance(sub, ast.Subscript) and not isinstance(sub.ctx, ast.Load):
            continue  # storing into a container
        if isinstance(sub, _RAISING):
            return True
    return False


def _benign(call: ast.Call) -> bool:
    """Builtins that do not raise in practice: a leak report on their 'exception' is noise."""
    func = call.func
    if isinstance(func, ast.Attribute):
        if func.attr == "acquire":
            return not call.args and not call.keywords
        if func.attr == "pop" and len(call.args) == 2:
            return True  # pop with a default
        if isinstance(func.value, ast.Name) and func.value.id == "time":
            return True  # time.time(), time.monotonic(), ...
        return func.attr in BENIGN_METHODS and isinstance(func.value, (ast.Name, ast.Attribute))
    if not isinstance(func, ast.Name):
        return False
    if func.id == "getattr":
        return len(call.args) == 3
    return func.id in _BENIGN_CALLS


def _walk_shallow(node: ast.AST) -> list[ast.AST]:
    """Walk an expression or simple statement without entering nested scopes."""
    out: list[ast.AST] = []
    stack = [node]
    while stack:
        n = stack.pop()
        out.append(n)
        for child in children(n):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                continue
            stack.append(child)
    return out


def contains_yield(node: ast.AST) -> bool:
    return any(isinstance(n, (ast.Yield, ast.YieldFrom)) for n in _walk_shallow(node))


Target = Callable[[], int]


@dataclass
class _Ctx:
    exc: Target
    ret: Target
    brk: Target | None = None
    cont: Target | None = None
    loop: tuple[int, int] | None = None  # lines of the innermost loop
    # Where a cancellation raised at an `await` goes when not where `exc` does (a `try`
    # whose handlers catch only `Exception`, `suppress(Exception)`); None: where `exc` does.
    cancel: Target | None = None
    # In an `except CancelledError:` handler: where its bare `raise` (a cancellation) goes.
    reraise: Target | None = None

    def cancelled(self) -> Target:
        return self.cancel if self.cancel is not None else self.exc


class CFG:
    def __init__(self) -> None:
        self.nodes: list[Node] = []
        self.entry = 0
        self.exit = self.add(EXIT)
        self.raise_exit = self.add(RAISE_EXIT)
        self.terminate = self.add(TERMINATE)
        # Handler dispatch nodes -> the handlers their first successors enter.
        self.handlers: dict[int, tuple[ast.ExceptHandler, ...]] = {}
        # `suppress(...)` forks (first successor: the exception goes on; second: it is
        # suppressed) -> the exception types the call names.
        self.suppressing: dict[int, tuple[ast.expr, ...]] = {}
        # Recorded statement lists (see CFGBuilder.sequences): each list with the entry node
        # of each of its statements, in order.
        self.sequences: list[tuple[list[ast.stmt], list[int]]] = []

    def add(self, kind: str, node: ast.AST | None = None, **kw: object) -> int:
        n = Node(len(self.nodes), kind, node, getattr(node, "lineno", 0), **kw)  # type: ignore[arg-type]
        self.nodes.append(n)
        return n.id


def _memo(build: Callable[[], int]) -> Target:
    cache: list[int] = []

    def get() -> int:
        if not cache:
            cache.append(build())
        return cache[0]

    return get


class CFGBuilder:
    """Builds a CFG in continuation style: each statement is lowered knowing its successor."""

    def __init__(
        self, is_terminator: Callable[[ast.expr], bool], sequences: tuple[int, ...] = ()
    ) -> None:
        """``sequences``: ids of statement lists whose statements' entry nodes are recorded
        (module-level code, whose dataflow steps over statements that do not concern a
        resource)."""
        self.is_terminator = is_terminator
        self.g = CFG()
        self.sequences = sequences

    def build(self, body: list[ast.stmt], last_line: int) -> CFG:
        g = self.g
        end = g.add(JUMP, event=("end", last_line))
        g.nodes[end].succ.append(g.exit)
        ctx = _Ctx(exc=lambda: g.raise_exit, ret=lambda: g.exit)
        g.entry = self.block(body, end, ctx)
        return g

    def block(self, stmts: list[ast.stmt], succ: int, ctx: _Ctx) -> int:
        if id(stmts) in self.sequences:
            entries: list[int] = []
            for stmt in reversed(stmts):
                succ = self.stmt(stmt, succ, ctx)
                entries.append(succ)
            entries.reverse()
            self.g.sequences.append((stmts, entries))
            return succ
        for stmt in reversed(stmts):
            succ = self.stmt(stmt, succ, ctx)
        return succ

    def _simple(self, stmt: ast.AST, succ: int, ctx: _Ctx, kind: str = STMT) -> int:
        g = self.g
        nid = g.add(kind, stmt)
        node = g.nodes[nid]
        node.succ.append(succ)
        if not isinstance(stmt, _NEVER_RAISE):
            # Whether it really can raise is decided lazily by the dataflow (can_raise).
            node.exc = ctx.exc()
            if isinstance(
                getattr(stmt, "value", None), (ast.Yield, ast.YieldFrom, ast.Await)
            ) and contains_yield(stmt):
                node.exc_event = "yield"
            elif ctx.cancel is not None and awaits(stmt):
                node.cancel = ctx.cancel()
        return nid

    def stmt(self, s: ast.stmt, succ: int, ctx: _Ctx) -> int:
        g = self.g
        if isinstance(s, ast.Return):
            jump = g.add(JUMP, s, event=("return", s.lineno))
            g.nodes[jump].succ.append(ctx.ret())
            return self._simple(s, jump, ctx) if s.value is not None else jump
        if isinstance(s, (ast.Break, ast.Continue)):
            kind = "break" if isinstance(s, ast.Break) else "continue"
            target = ctx.brk if isinstance(s, ast.Break) else ctx.cont
            jump = g.add(JUMP, s, event=(kind, s.lineno))
            g.nodes[jump].succ.append(target() if target else succ)
            g.nodes[jump].loop = ctx.loop
            return jump
        if isinstance(s, ast.Assert):
            failed = g.add(STMT, s)
            g.nodes[failed].succ.append(g.terminate)
            return self._test(s.test, succ, failed, ctx)
        if isinstance(s, ast.Raise):
            nid = g.add(STMT, s)
            if self._ends_process(s.exc):
                g.nodes[nid].succ.append(g.terminate)
            else:
                again = s.exc is None and ctx.reraise is not None
                g.nodes[nid].exc = ctx.reraise() if again and ctx.reraise else ctx.exc()
                g.nodes[nid].exc_event = "raise"
            return nid
        if (
            isinstance(s, ast.Expr)
            and isinstance(s.value, ast.Call)
            and self.is_terminator(s.value.func)
        ):
            nid = g.add(STMT, s)
            g.nodes[nid].succ.append(g.terminate)
            return nid
        if isinstance(s, ast.If):
            # An `elif` chain in one loop, not by recursion (it may be thousands long); the
            # nodes are made in the order recursion would make them.
            chain = [s]
            while len(chain[-1].orelse) == 1 and isinstance(chain[-1].orelse[0], ast.If):
                chain.append(chain[-1].orelse[0])
            thens = [self.block(link.body, succ, ctx) for link in chain]
            other = self.block(chain[-1].orelse, succ, ctx)
            for link, then in zip(reversed(chain), reversed(thens), strict=True):
                other = self._test(link.test, then, other, ctx)
            return other
        if isinstance(s, ast.While):
            head = g.add(NOP, s)
            after = self.block(s.orelse, succ, ctx)
            inner = _Ctx(ctx.exc, ctx.ret, lambda: succ, lambda: head, _lines(s), ctx.cancel)
            body = self.block(s.body, head, inner)
            if _always_true(s.test):
                g.nodes[head].succ.append(body)
            else:
                g.nodes[head].succ.append(self._test(s.test, body, after, ctx, repeats=True))
            return head
        if isinstance(s, (ast.For, ast.AsyncFor)):
            it = g.add(ITER, s, target=s.target, is_async=isinstance(s, ast.AsyncFor))
            after = self.block(s.orelse, succ, ctx)
            inner = _Ctx(ctx.exc, ctx.ret, lambda: succ, lambda: it, _lines(s), ctx.cancel)
            body = self.block(s.body, it, inner)
            g.nodes[it].succ.extend([body, after])
            g.nodes[it].exc = ctx.exc()
            if isinstance(s, ast.AsyncFor) and ctx.cancel is not None:
                g.nodes[it].cancel = ctx.cancel()
            # The first `next()` has its own node: the dataflow knows that a loop over a
            # non-empty literal, or over a container holding the resource, runs at least once.
            first = g.add(ITER, s, target=s.target, is_async=isinstance(s, ast.AsyncFor))
            g.nodes[first].first_iteration = True
            g.nodes[first].succ.extend([body, after])
            g.nodes[first].exc = ctx.exc()
            g.nodes[first].cancel = g.nodes[it].cancel
            # The iterable is evaluated once, before the loop.
            head = g.add(STMT, s.iter)
            g.nodes[head].succ.append(first)
            g.nodes[head].exc = ctx.exc()
            if ctx.cancel is not None and awaits(s.iter):
                g.nodes[head].cancel = ctx.cancel()
            return head
        if isinstance(s, (ast.With, ast.AsyncWith)):
            return self._with(s, s.items, succ, ctx)
        if isinstance(s, ast.Try) or (hasattr(ast, "TryStar") and isinstance(s, ast.TryStar)):
            return self._try(s, succ, ctx)  # type: ignore[arg-type]
        if isinstance(s, ast.Match):
            return self._match(s, succ, ctx)
        return self._simple(s, succ, ctx)

    def _cleanup(self, body: list[ast.stmt], succ: int, ctx: _Ctx) -> int:
        """A `finally` body: cleanup code, whose own failures are not leak paths worth
        reporting (the resource it releases would be reported for a line it cannot help)."""
        first = len(self.g.nodes)
        entry = self.block(body, succ, ctx)
        for node in self.g.nodes[first:]:
            if node.kind != STMT or not isinstance(node.ast, ast.Raise):
                node.cleanup = True
        return entry

    def _ends_process(self, exc: ast.expr | None) -> bool:
        if exc is None:
            return False
        target = exc.func if isinstance(exc, ast.Call) else exc
        return isinstance(target, ast.Name) and target.id in ("SystemExit", "KeyboardInterrupt")

    def _test(
        self, test: ast.expr, then: int, other: int, ctx: _Ctx, repeats: bool = False
    ) -> int:
        g = self.g
        nid = g.add(TEST, test)
        g.nodes[nid].repeats = repeats or ctx.loop is not None
        g.nodes[nid].succ.extend([then, other])
        g.nodes[nid].exc = ctx.exc()
        return nid

    def _with(
        self, s: ast.With | ast.AsyncWith, items: list[ast.withitem], succ: int, ctx: _Ctx
    ) -> int:
        g = self.g
        # Each item's context: inside a `suppress(...)` an exception may go on at `succ`;
        # inside a `suppress(Exception)` it always does (as with `except Exception:`).
        # (Items in a loop, not by recursion: a `with` may list thousands of them.)
        ctxs = [ctx]
        for item in items:
            outer = ctxs[-1]
            expr = item.context_expr
            if _suppresses(expr):
                assert isinstance(expr, ast.Call)
                exc: Target = (
                    (lambda: succ)
                    if _names_catch_all(expr.args)
                    else _forked(g, outer.exc, succ, tuple(expr.args))
                )
                # A cancellation is no Exception: `suppress(Exception)` lets it go on.
                outer = _Ctx(exc, outer.ret, outer.brk, outer.cont, outer.loop, outer.cancelled())
            ctxs.append(outer)
        entry = self.block(s.body, succ, ctxs[-1])
        for item, item_ctx in zip(reversed(items), reversed(ctxs[:-1]), strict=True):
            is_async = isinstance(s, ast.AsyncWith)
            nid = g.add(WITH, item, target=item.optional_vars, is_async=is_async)
            g.nodes[nid].line = item.context_expr.lineno
            g.nodes[nid].succ.append(entry)
            g.nodes[nid].exc = item_ctx.exc()
            if is_async and item_ctx.cancel is not None:
                g.nodes[nid].cancel = item_ctx.cancel()  # `__aenter__` is awaited
            entry = nid
        return entry

    def _try(self, s: ast.Try, succ: int, ctx: _Ctx) -> int:
        g = self.g
        outer = ctx
        if s.finalbody:
            final = s.finalbody

            def copy(after: Target) -> Target:
                return _memo(lambda: self._cleanup(final, after(), outer))

            fin_exc = copy(outer.exc)
            fin_ret = copy(outer.ret)
            fin_brk = copy(outer.brk) if outer.brk else None
            fin_cont = copy(outer.cont) if outer.cont else None
            fin_cancel = copy(outer.cancel) if outer.cancel else None
            normal_after = self._cleanup(final, succ, outer)
            ctx = _Ctx(fin_exc, fin_ret, fin_brk, fin_cont, outer.loop, fin_cancel)
            succ = normal_after
        after_else = self.block(s.orelse, succ, ctx)
        if s.handlers:
            handler_ctx = ctx
            entries = [self._handler(h, succ, handler_ctx) for h in s.handlers]
            catch_all = any(_catches_all(h) for h in s.handlers) or _guards_imports(s)
            dispatch_ctx = ctx

            def dispatch() -> int:
                nid = g.add(NOP)
                g.nodes[nid].succ.extend(entries)
                if not catch_all:
                    g.nodes[nid].succ.append(dispatch_ctx.exc())
                g.handlers[nid] = tuple(s.handlers)  # entries come first, in this order
                return nid

            # `except Exception:` does not catch a cancellation raised at an `await`; a bare
            # `except:`, `except BaseException:` or `except CancelledError:` may.
            cancel = None if any(_may_catch_cancel(h) for h in s.handlers) else ctx.cancelled()
            body_ctx = _Ctx(_memo(dispatch), ctx.ret, ctx.brk, ctx.cont, ctx.loop, cancel)
        else:
            body_ctx = ctx
        return self.block(s.body, after_else, body_ctx)

    def _handler(self, h: ast.ExceptHandler, succ: int, ctx: _Ctx) -> int:
        g = self.g
        if only_cancel(h):
            ctx = _Ctx(ctx.exc, ctx.ret, ctx.brk, ctx.cont, ctx.loop, ctx.cancel, ctx.cancelled())
        body = self.block(h.body, succ, ctx)
        nid = g.add(STMT, h)
        g.nodes[nid].succ.append(body)
        return nid

    def _match(self, s: ast.Match, succ: int, ctx: _Ctx) -> int:
        g = self.g
        nxt = succ
        for case in reversed(s.cases):
            body = self.block(case.body, succ, ctx)
            nid = g.add(STMT, case.pattern)
            g.nodes[nid].succ.extend([body, nxt])
            nxt = nid
        head = g.add(STMT, s.subject)
        g.nodes[head].succ.append(nxt)
        g.nodes[head].exc = ctx.exc()
        return head


def _lines(s: ast.stmt) -> tuple[int, int]:
    return (s.lineno, s.end_lineno or s.lineno)


def _forked(g: CFG, exc: Target, succ: int, types: tuple[ast.expr, ...]) -> Target:
    return _memo(lambda: _fork(g, exc(), succ, types))


def _fork(g: CFG, a: int, b: int, types: tuple[ast.expr, ...]) -> int:
    nid = g.add(NOP)
    g.nodes[nid].succ.extend([a, b])
    g.suppressing[nid] = types
    return nid


def _always_true(test: ast.expr) -> bool:
    return isinstance(test, ast.Constant) and bool(test.value)


def _suppresses(expr: ast.expr) -> bool:
    func = expr.func if isinstance(expr, ast.Call) else None
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return name == "suppress"


def _guards_imports(s: ast.Try) -> bool:
    """`try: import x / except ImportError:` — an import raises nothing else worth a path."""
    if not all(isinstance(b, (ast.Import, ast.ImportFrom)) for b in s.body):
        return False
    names = {
        n.id
        for h in s.handlers
        if h.type is not None
        for n in walk(h.type)
        if isinstance(n, ast.Name)
    }
    return bool(names & {"ImportError", "ModuleNotFoundError"})


def awaits(node: ast.AST) -> bool:
    """Whether evaluating ``node`` awaits (not inside a nested scope)."""
    return any(isinstance(n, ast.Await) for n in _walk_shallow(node))


def _may_catch_cancel(h: ast.ExceptHandler) -> bool:
    """Whether a handler may catch `asyncio.CancelledError` (a BaseException since 3.8)."""
    if h.type is None:
        return True
    for n in h.type.elts if isinstance(h.type, ast.Tuple) else [h.type]:
        name = n.attr if isinstance(n, ast.Attribute) else getattr(n, "id", None)
        if name is None or name in ("BaseException", "CancelledError"):
            return True  # an expression naming what it catches (`except errors:`): unknown
    return False


def only_cancel(h: ast.ExceptHandler) -> bool:
    """`except asyncio.CancelledError:`: what it catches is a cancellation."""
    names = h.type.elts if isinstance(h.type, ast.Tuple) else [h.type]
    return all(
        isinstance(n, (ast.Name, ast.Attribute)) and _last(n) == "CancelledError" for n in names
    )


def _last(n: ast.Name | ast.Attribute) -> str:
    return n.attr if isinstance(n, ast.Attribute) else n.id


def _catches_all(h: ast.ExceptHandler) -> bool:
    if h.type is None:
        return True
    return _names_catch_all(h.type.elts if isinstance(h.type, ast.Tuple) else [h.type])


def _names_catch_all(names: list[ast.expr]) -> bool:
    # `except Exception` is treated as catching everything a leak report should care about.
    return any(isinstance(n, ast.Name) and n.id in ("BaseException", "Exception") for n in names)
