"""Which of several raising statements a message names: the one most likely to fail.

A resource often leaks if any of several statements raises. Naming the first of them tells the
reader about `log_enabled(BASIC)` or `IBlobStorage.providedBy(...)`, which practically never
fail, when the write two lines later is what fails in practice. Statements are ranked:

- LIKELY: I/O, network, parsing, running processes, user callbacks, an `await`, a `raise`;
- UNKNOWN: any other call (a project function nothing is known about);
- WEAK: what almost never fails (failures.py's tables), and what fails only on a programming
  error: predicates (`is_ready()`, `providedBy()`), logging, setting an option
  (`set_cloexec(fd)`), positioning a file (`seek`, `tell`), a lookup without a call
  (`stat[ST_SIZE]`), stepping through a container the function already holds.

The flow analysis orders a site's leaks by the rank of the statement that raises (see
`FunctionFlow`), then by line: the message names the most likely failure, the first of them.
This module is data plus predicates, like failures.py.
"""

from __future__ import annotations

import ast
import re

from unleak.catalogue.failures import (
    OSERROR,
    UNLIKELY,
    UNLIKELY_METHODS,
    Callee,
    Qualify,
    _unlikely_call,
    _walk_shallow,
    stepping_unlikely_to_fail,
    unlikely_to_fail,
)

LIKELY, UNKNOWN, WEAK = 0, 1, 2

# Methods that do I/O, talk over a network, parse or run something: they fail on the state
# of the world (a reset connection, a full disk, bad input, a missing program).
_LIKELY_METHODS: frozenset[str] = frozenset(
    {
        "connect",
        "connect_ex",
        "accept",
        "bind",
        "recv",
        "recv_into",
        "recvfrom",
        "send",
        "sendall",
        "sendto",
        "sendfile",
        "read",
        "read1",
        "readinto",
        "readline",
        "readlines",
        "write",
        "writelines",
        "flush",
        "truncate",
        "open",
        "load",
        "loads",
        "dump",
        "parse",
        "request",
        "urlopen",
        "getresponse",
        "communicate",
        "check_call",
        "check_output",
        "do_handshake",
        "wrap_socket",
        "login",
        "authenticate",
        "execute",
        "executemany",
        "commit",
        "makedirs",
        "mkdir",
        "rename",
        "replace",
        "unlink",
        "rmtree",
        "copyfile",
        "copyfileobj",
        "put_file",
        "get_file",
        "upload",
        "download",
    }
)
# Modules whose functions do I/O, run processes or parse (`os.path`'s text functions and the
# descriptor calls of failures.py's tables are checked first). A function of the module itself:
# `os.linesep.encode(...)` is a string's method.
_LIKELY_MODULES = frozenset(
    {
        "os",
        "os.path",
        "io",
        "codecs",
        "subprocess",
        "shutil",
        "socket",
        "ssl",
        "select",
        "json",
        "pickle",
        "marshal",
        "urllib.request",
        "http.client",
        "ftplib",
        "smtplib",
        "zipfile",
        "tarfile",
        "sqlite3",
        "tempfile",
        "xml.etree.ElementTree",
        "xml.dom.minidom",
    }
)
_LIKELY_FUNCTIONS = frozenset({"builtins.open", "builtins.input", "builtins.exec"})
# Functions that only query or set a descriptor's mode: they fail when it is not one.
_WEAK_FUNCTIONS = frozenset({"os.get_blocking", "os.set_blocking"})
# Methods that move or report a file's position (on an open regular file they do not fail),
# and a container's own operations (an empty one or a missing key is a programming error).
_WEAK_METHODS = frozenset({"seek", "tell", "seekable", "readable", "writable", "pop", "popitem"})
# Names of predicates, logging and option setters: `is_closed`, `hasData`, `providedBy`,
# `log_enabled`, `set_cloexec`, `setName`.
_PREDICATE = re.compile(r"_*(is|has|can|supports)(_|[A-Z])|.*(providedBy|implementedBy)$")
_LOGGING = re.compile(r"_*(log|logger|logging)(_|[A-Z]|$)|.*_log$")
_SETTER = re.compile(r"_*set(_|[A-Z])")
# A user's callable: what it does is anyone's guess, and often fails.
_CALLBACK = re.compile(r".*(callback|_cb$|hook|handler$)", re.IGNORECASE)


def failure_rank(node: ast.AST, qualify: Qualify, callee: Callee | None = None) -> int:
    """How likely the statement or expression ``node`` is to be the one that raises: LIKELY,
    UNKNOWN or WEAK (see the module's docstring), from the likeliest thing in it."""
    if isinstance(node, ast.Raise):
        return LIKELY
    if unlikely_to_fail(node, qualify, callee):
        return WEAK
    best = WEAK
    for sub in _walk_shallow(node):
        if isinstance(sub, (ast.Await, ast.Raise)):
            return LIKELY
        if isinstance(sub, ast.Call):
            best = min(best, _call_rank(sub, qualify, callee))
            if best == LIKELY:
                return best
    return best


def stepping_rank(iterable: ast.expr, qualify: Qualify) -> int:
    """The head of a `for` loop: stepping through a name or attribute is stepping through a
    container the function already holds, or a dict view or range (WEAK); a call made for
    the loop (`f.readlines()`) is ranked as one."""
    if isinstance(iterable, (ast.Name, ast.Attribute)):
        return WEAK
    if stepping_unlikely_to_fail(iterable, qualify):
        return WEAK
    return failure_rank(iterable, qualify)


def _call_rank(call: ast.Call, qualify: Qualify, callee: Callee | None) -> int:
    said = callee(call) if callee is not None else None
    if said == UNLIKELY or _unlikely_call(call, qualify):
        return WEAK
    if said == OSERROR:
        return LIKELY  # a project function that fails only with OSError does I/O
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    qual = qualify(func)
    if qual in _WEAK_FUNCTIONS or name in _WEAK_METHODS:
        return WEAK
    if qual is not None and isinstance(func, ast.Attribute) and name in UNLIKELY_METHODS:
        return WEAK  # `os.linesep.join(lines)`: a string's method, not the module's
    if _PREDICATE.match(name) or _LOGGING.match(name) or _SETTER.match(name):
        return WEAK
    if qual is not None and qual.startswith("logging."):
        return WEAK
    if qual in _LIKELY_FUNCTIONS or (
        qual is not None and qual.rpartition(".")[0] in _LIKELY_MODULES
    ):
        return LIKELY
    if name in _LIKELY_METHODS or _CALLBACK.match(name):
        return LIKELY
    return UNKNOWN
