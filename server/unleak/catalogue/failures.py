"""How likely a statement is to raise.

I/O, network, parsing, user callbacks and unknown calls can fail; setting a socket option,
`fileno()`, `chmod` on a file just created, formatting a log handler or storing an attribute
almost never do. A leak whose only paths go through statements of the second kind is real but
improbable: it is reported with a lower severity, and its message names a likely statement
when there is one.

This module is data plus one predicate; the flow analysis asks it about each raising point.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

Qualify = Callable[[ast.expr], "str | None"]

# Methods that, on the objects they are normally called on, fail only on a programming error
# (a closed or invalid object, a wrong argument type), not on the state of the world.
UNLIKELY_METHODS: frozenset[str] = frozenset(
    {
        # sockets: options and modes, local queries, wrapping in a file object
        "setsockopt",
        "setblocking",
        "settimeout",
        "getsockname",
        "getsockopt",
        "gettimeout",
        "fileno",
        "makefile",
        "listen",
        "set_inheritable",
        "get_inheritable",
        "detach",
        # selectors: registering an open descriptor
        "register",
        "modify",
        "unregister",
        # logging handlers and loggers
        "setFormatter",
        "setLevel",
        "addFilter",
        "addHandler",
        "removeHandler",
        "debug",
        "info",
        "warning",
        "warn",
        "log",
        # containers and strings: pure computation
        "append",
        "appendleft",
        "extend",
        "insert",
        "add",
        "discard",
        "setdefault",
        "items",
        "keys",
        "values",
        "copy",
        "join",
        "format",
        "strip",
        "lstrip",
        "rstrip",
        "lower",
        "upper",
        "startswith",
        "endswith",
        "replace",
        "split",
        "rsplit",
        "splitlines",
        # threads and events
        "is_set",
        "clear",
        "notify",
        "notify_all",
        "setDaemon",
        "is_alive",
        # registering a callback (click's ctx.call_on_close, ExitStack.callback)
        "call_on_close",
        "callback",
        "addCleanup",
    }
)

# Functions (qualified names) that almost never fail.
UNLIKELY_FUNCTIONS: frozenset[str] = frozenset(
    {
        # permissions and descriptors of something this process just created
        "os.chmod",
        "os.fchmod",
        "os.umask",
        "os.chown",
        "os.fchown",
        "os.lchown",
        "os.dup2",
        "os.set_inheritable",
        "os.set_blocking",
        "os.getpid",
        "os.getppid",
        "os.getuid",
        "os.geteuid",
        "os.getgid",
        "os.fspath",
        "os.path.join",
        "os.path.basename",
        "os.path.dirname",
        "os.path.abspath",
        "os.path.normpath",
        "os.path.splitext",
        "os.path.split",
        "fcntl.fcntl",
        "termios.tcgetattr",
        "mimetypes.guess_type",
        "typing.cast",
        "typing_extensions.cast",
        "logging.getLogger",
        "logging.Formatter",
        "weakref.ref",
        "threading.current_thread",
        "threading.get_ident",
        "sys.getfilesystemencoding",
        "socket.getdefaulttimeout",
        "time.time",
        "time.monotonic",
        "time.perf_counter",
    }
)

# Builtins that do not depend on the world (`int(text)` and `float(text)` parse: not here).
UNLIKELY_BUILTINS: frozenset[str] = frozenset(
    {
        "getattr",
        "setattr",
        "hasattr",
        "isinstance",
        "issubclass",
        "callable",
        "id",
        "hash",
        "type",
        "len",
        "repr",
        "str",
        "bool",
        "list",
        "tuple",
        "dict",
        "set",
        "frozenset",
        "sorted",
        "reversed",
        "enumerate",
        "zip",
        "range",
        "print",
        "format",
        "super",
        "object",
        "vars",
        "iter",
    }
)

# Callables whose usual names say what they are (WSGI's start_response stores the status).
UNLIKELY_CALLABLE_NAMES: frozenset[str] = frozenset({"start_response"})

_LOG_METHODS = frozenset({"debug", "info", "warning", "warn", "log"})
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1", ""})


def unlikely_to_fail(node: ast.AST, qualify: Qualify) -> bool:
    """Whether every way ``node`` (a statement or expression, without nested scopes) can
    raise is a call that almost never fails. `raise`, `assert`, `await`, subscripts, `yield`
    and any call not in the tables above count as likely."""
    found = False
    for sub in _walk_shallow(node):
        if isinstance(sub, (ast.Raise, ast.Assert, ast.Await, ast.Yield, ast.YieldFrom)):
            return False
        if isinstance(sub, (ast.Import, ast.ImportFrom)):
            return False
        if isinstance(sub, ast.Subscript) and isinstance(sub.ctx, ast.Load):
            return False
        if isinstance(sub, ast.Call):
            if not _unlikely_call(sub, qualify):
                return False
            found = True
    return found


def _unlikely_call(call: ast.Call, qualify: Qualify) -> bool:
    func = call.func
    qual = qualify(func)
    if qual is not None:
        # A module's function (or a module-level object's method): the table decides.
        if qual.startswith("builtins."):
            return qual[len("builtins.") :] in UNLIKELY_BUILTINS
        return qual in UNLIKELY_FUNCTIONS or (
            isinstance(func, ast.Attribute) and func.attr in _LOG_METHODS
        )
    if isinstance(func, ast.Name):
        return func.id in UNLIKELY_CALLABLE_NAMES
    if not isinstance(func, ast.Attribute):
        return False
    if func.attr == "bind":
        return _loopback_any_port(call)
    if func.attr == "connect":
        # Connecting to an address this process is listening on (the socketpair dance).
        arg = call.args[0] if len(call.args) == 1 else None
        return (
            isinstance(arg, ast.Call)
            and isinstance(arg.func, ast.Attribute)
            and arg.func.attr == "getsockname"
        )
    return func.attr in UNLIKELY_METHODS


def _loopback_any_port(call: ast.Call) -> bool:
    """`bind(("127.0.0.1", 0))`: an ephemeral port on the loopback interface."""
    if len(call.args) != 1 or not isinstance(call.args[0], ast.Tuple):
        return False
    elts = call.args[0].elts
    return (
        len(elts) >= 2
        and isinstance(elts[0], ast.Constant)
        and elts[0].value in _LOOPBACK
        and isinstance(elts[1], ast.Constant)
        and elts[1].value == 0
    )


def _walk_shallow(node: ast.AST) -> list[ast.AST]:
    out: list[ast.AST] = []
    stack = [node]
    while stack:
        n = stack.pop()
        out.append(n)
        for child in ast.iter_child_nodes(n):
            if not isinstance(
                child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
            ):
                stack.append(child)
    return out


# Context managers whose `__enter__` does nothing that can fail (it returns the object, or
# a name it already has): entering them raises only if evaluating the expression does.
SAFE_ENTER: frozenset[str] = frozenset(
    {
        "tempfile.TemporaryDirectory",
        "contextlib.suppress",
        "contextlib.nullcontext",
        "contextlib.ExitStack",
        "contextlib.AsyncExitStack",
        "contextlib.closing",
    }
)


def enter_cannot_fail(
    expr: ast.expr, qualify: Qualify, known_resource: Callable[[ast.expr], bool]
) -> bool:
    """Whether `with expr:` can raise only while evaluating ``expr``: a context manager from
    the table above, a lock (by its name), or a resource from the catalogue (files, sockets,
    locks, processes, executors: their `__enter__` returns the object, or blocks for a lock)."""
    func = expr.func if isinstance(expr, ast.Call) else None
    if func is not None and qualify(func) in SAFE_ENTER:
        return True
    if isinstance(expr, (ast.Name, ast.Attribute)):
        # `with self._lock:` blocks until it holds the lock; it does not fail.
        last = expr.id if isinstance(expr, ast.Name) else expr.attr
        if last.lower().rstrip("_").endswith(_LOCK_NAMES):
            return True
    return known_resource(expr)


_LOCK_NAMES = ("lock", "mutex", "rlock", "semaphore", "condition", "cond")
