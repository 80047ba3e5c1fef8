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

from unleak.source.walk import children

Qualify = Callable[[ast.expr], "str | None"]
# What a call of a project function can raise, from its summary (see `body_failure`):
# UNLIKELY, OSERROR or None (anything).
Callee = Callable[[ast.Call], "str | None"]
UNLIKELY = "unlikely"
OSERROR = "oserror"

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
        "set_name",
        "setName",
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
        "popleft",
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
        # event loops and loggers: queries of their state
        "get_debug",
        "is_running",
        "is_closed",
        "hasHandlers",
        "isEnabledFor",
        "getEffectiveLevel",
        # an HTTP response's headers, already read; string case
        "getheaders",
        "title",
        "capitalize",
        "casefold",
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
        "os.getegid",
        "os.fspath",
        # a fork fails only when the system is out of processes or memory
        "os.fork",
        # creating a local kernel object: fails only when out of descriptors or memory
        "os.pipe",
        "os.dup",
        "socket.socket",
        "socket.socketpair",
        "os.path.join",
        "os.path.basename",
        "os.path.dirname",
        "os.path.abspath",
        "os.path.normpath",
        "os.path.splitext",
        "os.path.split",
        # the same path text functions, by their module for one platform's paths
        *(
            f"{mod}.{name}"
            for mod in ("ntpath", "posixpath")
            for name in (
                "join",
                "basename",
                "dirname",
                "normpath",
                "normcase",
                "splitext",
                "split",
                "isabs",
            )
        ),
        "fcntl.fcntl",
        "termios.tcgetattr",
        "termios.tcsetattr",
        # a file object over a descriptor this process holds (like a socket's makefile())
        "os.fdopen",
        "mimetypes.guess_type",
        # quoting a command line for a log message or a shell: string building
        "subprocess.list2cmdline",
        "shlex.quote",
        "shlex.join",
        "typing.cast",
        "typing_extensions.cast",
        "logging.getLogger",
        "logging.StreamHandler",
        "logging.NullHandler",
        "logging.Formatter",
        "weakref.ref",
        "threading.current_thread",
        "threading.get_ident",
        "sys.getfilesystemencoding",
        "socket.getdefaulttimeout",
        # pseudo-random numbers (bad bounds are a programming error)
        "random.randint",
        "random.randrange",
        "random.random",
        "random.uniform",
        "random.getrandbits",
        "time.time",
        "time.monotonic",
        "time.perf_counter",
        "sys.modules.get",
        "os.environ.get",
        "os.environ.copy",
        "os.getenv",
        # a descriptor's status, right after opening it
        "os.fstat",
        "os.ttyname",
        "os.isatty",
        # path queries that answer False instead of raising OSError, and pure path text
        "os.path.exists",
        "os.path.lexists",
        "os.path.isfile",
        "os.path.isdir",
        "os.path.islink",
        "os.path.isabs",
        "os.path.normcase",
        "os.path.expanduser",
        # raises only when an audit hook installed to veto the event does
        "sys.audit",
        # wrappers and synchronisation objects that only store what they are given
        "contextlib.closing",
        "contextlib.suppress",
        "contextlib.nullcontext",
        "contextlib.ExitStack",
        "contextlib.AsyncExitStack",
        "threading.Lock",
        "threading.RLock",
        "threading.Event",
        "threading.Condition",
        "threading.Semaphore",
        "threading.BoundedSemaphore",
        # building a thread stores its target and arguments (starting it is another call)
        "threading.Thread",
        # registering a callback or choosing the current loop: bookkeeping only
        "atexit.register",
        "asyncio.set_event_loop",
        # bit tests on a mode number
        "stat.S_ISREG",
        "stat.S_ISDIR",
        "stat.S_ISCHR",
        "stat.S_ISBLK",
        "stat.S_ISFIFO",
        "stat.S_ISLNK",
        "stat.S_ISSOCK",
        "stat.S_IMODE",
        "stat.S_IFMT",
        # inspect's predicates look at an object's type and flags
        "inspect.isawaitable",
        "inspect.isclass",
        "inspect.iscoroutine",
        "inspect.iscoroutinefunction",
        "inspect.isasyncgenfunction",
        "inspect.isfunction",
        "inspect.isgenerator",
        "inspect.isgeneratorfunction",
        "inspect.ismethod",
        "inspect.isroutine",
        # building a path object is pure computation
        "pathlib.Path",
        "pathlib.PurePath",
        "pathlib.PosixPath",
        "pathlib.PurePosixPath",
        # click's styling builds a string with escape codes (an unknown colour name is a
        # programming error)
        "click.style",
        "click.unstyle",
    }
)
# Project helpers named after the `os` calls they wrap (`util.chown(path, uid, gid)`).
_WRAPPED_OS_CALLS = frozenset({"chmod", "chown", "fchmod", "fchown", "umask"})

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
        # lazy: what they call runs when the result is consumed, whose statement decides
        "map",
        "filter",
        "range",
        "print",
        "format",
        "super",
        "object",
        "vars",
        "iter",
        "abs",
        "round",
        "all",
        "any",
    }
)
# Builtins that fail only on an empty sequence: with two arguments or more, never.
_UNLIKELY_WITH_TWO_ARGS = frozenset({"max", "min"})
# Builtin types subscripted into a generic alias (`dict[str, int]`): building it cannot fail.
_GENERIC_BUILTINS = frozenset({"dict", "list", "set", "frozenset", "tuple", "type"})
# Sequences whose constant index is input, not a shape the program knows.
_INPUT_SEQUENCES = frozenset({"sys.argv", "argv"})

# Functions that fail only on a malformed format: with a constant one, never
# (`Struct("HHHH")`, written and tested with the code).
_CONSTANT_FORMAT_FUNCTIONS = frozenset({"struct.Struct", "struct.calcsize", "re.compile"})
# Functions that, with a constant pattern as their first argument, fail only on a malformed
# pattern or a non-string subject: a programming error (`re.sub("[^A-Z]", "_", name)`).
_CONSTANT_PATTERN_FUNCTIONS = frozenset(
    f"re.{name}"
    for name in ("sub", "subn", "match", "search", "fullmatch", "split", "findall", "escape")
)

# Functions that, with a constant format, fail only on values the format does not allow: a
# programming error, not the state of the world (`struct.pack("16sH", name, flags)`).
_PACKING_FUNCTIONS = frozenset({"struct.pack", "struct.pack_into"})
# `text.encode()` to UTF-8 fails only on a lone surrogate (text decoded with surrogateescape).
_UTF8 = frozenset({"utf-8", "utf8", "utf_8", "UTF-8", "UTF8"})

# Callables whose usual names say what they are (WSGI's start_response stores the status).
UNLIKELY_CALLABLE_NAMES: frozenset[str] = frozenset({"start_response"})

# A logger's methods report a failing handler through `handleError`; they do not raise.
_LOG_METHODS = frozenset(
    {"debug", "info", "warning", "warn", "log", "error", "exception", "critical", "fatal"}
)
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1", ""})
# Advisory locks on a descriptor: `fcntl.lockf(fd, fcntl.LOCK_EX)` blocks until it has it.
_FILE_LOCKS = frozenset({"fcntl.lockf", "fcntl.flock"})


def unlikely_to_fail(node: ast.AST, qualify: Qualify, callee: Callee | None = None) -> bool:
    """Whether every way ``node`` (a statement or expression, without nested scopes) can
    raise is a call that almost never fails. `raise`, `assert`, `await`, subscripts and any
    call not in the tables above (nor a project function ``callee`` says is UNLIKELY to
    fail) count as likely; a `yield` is left to the caller (a generator closed early is
    common, a pytest fixture is never closed at its `yield`)."""
    found = False
    for sub in _walk_shallow(node):
        if isinstance(sub, (ast.Raise, ast.Assert, ast.Await)):
            return False
        if isinstance(sub, (ast.Import, ast.ImportFrom)):
            return False
        if isinstance(sub, ast.Subscript) and isinstance(sub.ctx, ast.Load):
            if not (_indexes_unlikely_result(sub, qualify) or _indexes_known_shape(sub)):
                return False
            found = True
        if isinstance(sub, ast.Call):
            if not _unlikely_call(sub, qualify) and (callee is None or callee(sub) != UNLIKELY):
                return False
            found = True
    return found


# What a `for` loop steps through without doing I/O: a dict's views, a range, a container
# built before the loop (`sorted(...)`, `list(...)`).
_VIEW_METHODS = frozenset({"items", "keys", "values"})
_MATERIALISED = frozenset(
    f"builtins.{name}" for name in ("range", "sorted", "list", "tuple", "set", "frozenset")
)


def stepping_unlikely_to_fail(iterable: ast.expr, qualify: Qualify) -> bool:
    """Whether taking the next element of ``iterable`` (the head of a `for` loop) almost never
    fails: it steps through a dict view, a range or a container built for the loop (what the
    loop's body does is the body's statements' own)."""
    if not isinstance(iterable, ast.Call):
        return False
    func = iterable.func
    if isinstance(func, ast.Attribute) and func.attr in _VIEW_METHODS and not iterable.args:
        return True
    return qualify(func) in _MATERIALISED


def _indexes_unlikely_result(sub: ast.Subscript, qualify: Qualify) -> bool:
    """`mimetypes.guess_type(name)[0]`, `sock.getsockname()[1]`: a constant index into what
    an unlikely function or address query returns (a tuple of known length); `IO[bytes]`,
    a typing generic alias."""
    if qualify(sub.value) in _TYPING_GENERICS or (qualify(sub.value) or "").startswith(
        "collections.abc."
    ):
        return True
    if (
        isinstance(sub.slice, ast.Constant)
        and sub.slice.value == "__main__"
        and qualify(sub.value) == "sys.modules"
    ):
        return True  # the running program's main module is always there
    if not (
        isinstance(sub.value, ast.Call)
        and isinstance(sub.slice, ast.Constant)
        and isinstance(sub.slice.value, int)
    ):
        return False
    func = sub.value.func
    if qualify(func) in UNLIKELY_FUNCTIONS:
        return True
    return isinstance(func, ast.Attribute) and func.attr in _ADDRESS_QUERIES


_ADDRESS_QUERIES = frozenset({"getsockname", "getpeername"})
_TYPING_GENERICS = frozenset(
    f"typing.{name}"
    for name in (
        "IO",
        "TextIO",
        "BinaryIO",
        "Any",
        "Optional",
        "Union",
        "List",
        "Dict",
        "Tuple",
        "Set",
        "Type",
        "Callable",
        "Iterable",
        "Iterator",
        "Sequence",
        "Mapping",
        "Final",
        "ClassVar",
        "Literal",
    )
)


def _indexes_known_shape(sub: ast.Subscript) -> bool:
    """`address[0]`, `addrinfo[4]`, `self._queue[0]`: a constant index into a variable fails
    only on a programming error (a sequence of another shape, or one the code just saw to be
    non-empty), unless the sequence is the command line's. `dict[str, int]` builds an alias."""
    value, index = sub.value, sub.slice
    if isinstance(value, ast.Name) and value.id in _GENERIC_BUILTINS:
        return True
    if isinstance(index, ast.UnaryOp) and isinstance(index.op, ast.USub):
        index = index.operand
    if not (isinstance(index, ast.Constant) and type(index.value) is int):
        return False
    base = value
    while isinstance(base, ast.Attribute):
        base = base.value
    return isinstance(base, ast.Name) and _dotted(value) not in _INPUT_SEQUENCES


def _unlikely_call(call: ast.Call, qualify: Qualify) -> bool:
    func = call.func
    last = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if last in _WRAPPED_OS_CALLS:
        return True
    qual = qualify(func)
    if qual is not None:
        # A module's function (or a module-level object's method): the table decides.
        if qual.startswith("builtins."):
            name = qual[len("builtins.") :]
            return name in UNLIKELY_BUILTINS or (
                name in _UNLIKELY_WITH_TWO_ARGS and len(call.args) >= 2 and not call.keywords
            )
        if qual in _CONSTANT_FORMAT_FUNCTIONS:
            return all(isinstance(a, ast.Constant) for a in call.args) and not call.keywords
        if qual in _CONSTANT_PATTERN_FUNCTIONS:
            return bool(call.args) and isinstance(call.args[0], ast.Constant)
        if qual in _PACKING_FUNCTIONS:
            fmt = call.args[0] if call.args else None
            return isinstance(fmt, ast.Constant) and isinstance(fmt.value, (str, bytes))
        if qual in _FILE_LOCKS:
            # A blocking lock waits; only a non-blocking one fails when it is taken.
            return len(call.args) >= 2 and "LOCK_NB" not in ast.unparse(call.args[1])
        return qual in UNLIKELY_FUNCTIONS or (
            isinstance(func, ast.Attribute) and func.attr in _LOG_METHODS
        )
    if isinstance(func, ast.Name):
        return func.id in UNLIKELY_CALLABLE_NAMES
    if not isinstance(func, ast.Attribute):
        return False
    if func.attr == "bind":
        return _loopback_any_port(call)
    if func.attr == "encode":
        return _encodes_to_utf8(call)
    if func.attr == "fileno" and _standard_stream(func.value, qualify):
        # `getattr(sys, name).fileno()`: a standard stream replaced by an object without a
        # descriptor (pytest's capture, a notebook's) raises io.UnsupportedOperation.
        return False
    if func.attr == "connect":
        # Connecting to an address this process is listening on (the socketpair dance).
        arg = call.args[0] if len(call.args) == 1 else None
        return (
            isinstance(arg, ast.Call)
            and isinstance(arg.func, ast.Attribute)
            and arg.func.attr == "getsockname"
        )
    return func.attr in UNLIKELY_METHODS


def _standard_stream(expr: ast.expr, qualify: Qualify) -> bool:
    """`getattr(sys, name)`: one of the interpreter's standard streams, looked up by name
    (`sys.stdout` itself is a module attribute, which the table decides)."""
    return (
        isinstance(expr, ast.Call)
        and qualify(expr.func) == "builtins.getattr"
        and len(expr.args) >= 2
        and qualify(expr.args[0]) == "sys"
    )


def _encodes_to_utf8(call: ast.Call) -> bool:
    """`name.encode()`, `text.encode("utf-8")`: a string's own method (an encoder object's
    `encode(obj)` takes what it encodes, and may reject it)."""
    if call.keywords or len(call.args) > 1:
        return False
    if not call.args:
        return True
    arg = call.args[0]
    return isinstance(arg, ast.Constant) and arg.value in _UTF8


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
        for child in children(n):
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

# Of those, the ones whose construction only stores its arguments: building one cannot fail
# (what computes an argument is a call of its own).
SAFE_CONSTRUCT: frozenset[str] = SAFE_ENTER - {"tempfile.TemporaryDirectory"}


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


# ---- which exceptions a statement raises -------------------------------------------------

# Modules whose functions report failures of the world as OSError (or a subclass).
_OSERROR_MODULES = ("os.", "socket.", "shutil.", "select.", "fcntl.", "tempfile.")
# Resource types whose methods report failures as OSError (socket.error is OSError).
OSERROR_TYPES: frozenset[str] = frozenset({"socket", "fd", "selector"})
# Handler names that catch every OSError.
_CATCH_OSERROR = frozenset(
    {
        "OSError",
        "IOError",
        "EnvironmentError",
        "socket.error",
        "os.error",
        "select.error",
        "Exception",
        "BaseException",
    }
)
# OSError's subclasses: a handler for one may or may not catch a given OSError.
_OSERROR_SUBCLASSES = frozenset(
    {
        "BlockingIOError",
        "ChildProcessError",
        "ConnectionError",
        "BrokenPipeError",
        "ConnectionAbortedError",
        "ConnectionRefusedError",
        "ConnectionResetError",
        "FileExistsError",
        "FileNotFoundError",
        "InterruptedError",
        "IsADirectoryError",
        "NotADirectoryError",
        "PermissionError",
        "ProcessLookupError",
        "TimeoutError",
        "socket.timeout",
        "socket.gaierror",
        "socket.herror",
        "ssl.SSLError",
        "shutil.Error",
    }
)


def raises_only_oserror(
    node: ast.AST,
    qualify: Qualify,
    type_of: Callable[[ast.expr], str | None],
    callee: Callee | None = None,
) -> bool:
    """Whether every failure of ``node`` that is not a programming error is an OSError:
    it calls only `os`/`socket`/`shutil`/`select` functions, methods of sockets and
    descriptors, project functions whose bodies do no more (``callee``), and calls that
    almost never fail."""
    return _failure([node], qualify, type_of, callee) == OSERROR


def body_failure(
    body: list[ast.stmt],
    qualify: Qualify,
    type_of: Callable[[ast.expr], str | None],
    callee: Callee | None = None,
) -> str | None:
    """What a call of a function with this body can raise, programming errors aside:
    UNLIKELY when every statement almost never fails (it stores, formats, sets options or
    calls project functions that do no more), OSERROR when the rest fails only with OSError
    (`os`/`socket` calls), None when anything may be raised. Returning or iterating is not
    a failure; a `raise`, `assert`, `await`, `yield`, an import or a subscript is."""
    # A call both in an OSError module and in the table (`fcntl.fcntl` setting a flag on a
    # descriptor just made) is unlikely: a helper that only does such things almost never
    # fails, whichever handler is around its call.
    kind = _failure(body, qualify, type_of, callee, unlikely_first=True)
    return None if kind == _ANYTHING else kind or UNLIKELY


def _failure(
    nodes: list[ast.stmt] | list[ast.AST],
    qualify: Qualify,
    type_of: Callable[[ast.expr], str | None],
    callee: Callee | None,
    unlikely_first: bool = False,
) -> str | None:
    """OSERROR when some call fails with OSError and the rest almost never fail; UNLIKELY
    when every call almost never fails; _ANYTHING when something may raise anything; None
    when nothing in ``nodes`` can fail (callers decide what that means)."""
    kind: str | None = None
    for node in nodes:
        if isinstance(node, ast.Try) and (
            any(_catches_everything(h) for h in node.handlers)
            or (
                any(catches_oserror(h) == "all" for h in node.handlers)
                and _failure(node.body, qualify, type_of, callee) != _ANYTHING
            )
        ):
            # `try: ... except Exception: return None`, or an `except OSError` around calls
            # that fail only with one: what its body raises is caught; only its handlers,
            # `else` and `finally` can fail.
            rest: list[ast.stmt] = [s for h in node.handlers for s in h.body]
            sub_kind = _failure(
                rest + node.orelse + node.finalbody, qualify, type_of, callee, unlikely_first
            )
            if sub_kind == _ANYTHING:
                return _ANYTHING
            kind = OSERROR if OSERROR in (kind, sub_kind) else UNLIKELY
            continue
        for sub in _walk_shallow(node):
            if isinstance(
                sub,
                (
                    ast.Raise,
                    ast.Assert,
                    ast.Await,
                    ast.Yield,
                    ast.YieldFrom,
                    ast.Import,
                    ast.ImportFrom,
                ),
            ) or (isinstance(sub, ast.Subscript) and isinstance(sub.ctx, ast.Load)):
                return _ANYTHING
            if not isinstance(sub, ast.Call):
                continue
            qual = qualify(sub.func)
            said = callee(sub) if callee is not None else None
            if unlikely_first and (_unlikely_call(sub, qualify) or said == UNLIKELY):
                kind = kind or UNLIKELY
            elif (
                (qual is not None and qual.startswith(_OSERROR_MODULES))
                or (
                    isinstance(sub.func, ast.Attribute) and type_of(sub.func.value) in OSERROR_TYPES
                )
                or said == OSERROR
            ):
                kind = OSERROR
            elif _unlikely_call(sub, qualify) or said == UNLIKELY:
                kind = kind or UNLIKELY
            else:
                return _ANYTHING
    return kind


_ANYTHING = "anything"


# Raised when a connection attempt is refused: only by a call that connects.
_REFUSALS = frozenset({"ConnectionRefusedError"})
# Methods that use a connection already made or a stream already open: they fail with a reset,
# a timeout or bad data, never with a refusal.
_STREAM_METHODS = frozenset(
    {
        "read",
        "read1",
        "readinto",
        "readline",
        "readlines",
        "recv",
        "recv_into",
        "recvfrom",
        "send",
        "sendall",
        "sendto",
        "write",
        "writelines",
        "flush",
        "close",
        "getresponse",
        "decode",
    }
)


def catches_only_refusals(handler: ast.ExceptHandler) -> bool:
    """`except ConnectionRefusedError:`: a handler for a failed connection attempt only."""
    if handler.type is None:
        return False
    names = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return all(_dotted(n) in _REFUSALS for n in names)


def cannot_be_refused(node: ast.AST, qualify: Qualify, callee: Callee | None = None) -> bool:
    """Whether ``node`` makes no connection attempt: it only reads or writes what is open
    (`response.read()`) or calls what almost never fails. A `raise` or an `await` may."""
    for sub in _walk_shallow(node):
        if isinstance(sub, (ast.Raise, ast.Await, ast.Yield, ast.YieldFrom)):
            return False
        if not isinstance(sub, ast.Call):
            continue
        func = sub.func
        if isinstance(func, ast.Attribute) and func.attr in _STREAM_METHODS:
            continue
        if not _unlikely_call(sub, qualify) and (callee is None or callee(sub) != UNLIKELY):
            return False
    return True


def _catches_everything(handler: ast.ExceptHandler) -> bool:
    return handler.type is None or _dotted(handler.type) in ("Exception", "BaseException")


def catches_oserror(handler: ast.ExceptHandler) -> str:
    """ "all" when the handler catches every OSError, "some" when it catches a subclass,
    "none" when it catches no OSError."""
    if handler.type is None:
        return "all"
    return names_catch_oserror(
        handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    )


def names_catch_oserror(names: list[ast.expr] | tuple[ast.expr, ...]) -> str:
    """`catches_oserror` for the exception types a handler or a `suppress(...)` names."""
    texts = {_dotted(n) for n in names}
    if texts & _CATCH_OSERROR:
        return "all"
    if texts & _OSERROR_SUBCLASSES or None in texts:
        return "some"  # a subclass, or a name we cannot read: it may catch it
    return "none" if all(t in _OTHER_BUILTIN_ERRORS for t in texts) else "some"


# Builtin exceptions that are not OSError: a handler for only these does not catch one.
_OTHER_BUILTIN_ERRORS = frozenset(
    {
        "ValueError",
        "TypeError",
        "KeyError",
        "IndexError",
        "LookupError",
        "AttributeError",
        "ImportError",
        "ModuleNotFoundError",
        "NameError",
        "RuntimeError",
        "NotImplementedError",
        "StopIteration",
        "StopAsyncIteration",
        "UnicodeError",
        "UnicodeDecodeError",
        "UnicodeEncodeError",
        "AssertionError",
        "ArithmeticError",
        "ZeroDivisionError",
        "OverflowError",
        "KeyboardInterrupt",
        "SystemExit",
        "GeneratorExit",
        "RecursionError",
        "MemoryError",
    }
)


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


# ---- generators that are always resumed ---------------------------------------------------

# Decorators whose framework resumes the generator after its `yield` and never closes it
# there or throws into it: pytest runs a fixture's teardown with next(), whatever the test did.
RESUMING_DECORATORS: frozenset[str] = frozenset(
    {"pytest.fixture", "pytest_asyncio.fixture", "pytest.yield_fixture"}
)


def yield_is_resumed(func: ast.AST, qualify: Qualify) -> bool:
    """Whether the generator ``func`` is driven by a framework that always resumes it."""
    decorators = getattr(func, "decorator_list", [])
    return any(
        qualify(d.func if isinstance(d, ast.Call) else d) in RESUMING_DECORATORS for d in decorators
    )


def raises_besides_yield(node: ast.AST) -> bool:
    """Whether a statement with a `yield` can raise other than at the `yield` itself."""
    for sub in _walk_shallow(node):
        if isinstance(sub, (ast.Yield, ast.YieldFrom)):
            continue
        if isinstance(sub, (ast.Call, ast.Await, ast.Raise, ast.Assert)) or (
            isinstance(sub, ast.Subscript) and isinstance(sub.ctx, ast.Load)
        ):
            return True
    return False
