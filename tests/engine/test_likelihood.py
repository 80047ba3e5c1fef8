"""Likely and unlikely exception paths: a leak that needs a statement that almost never fails
(a socket option, chmod, a log handler's formatter) is reported at a lower severity, and a
leak with a likely path names the likely statement."""

from __future__ import annotations

import ast
import textwrap

import pytest
from unleak.catalogue.failures import unlikely_to_fail
from unleak.names.resolver import NameResolver
from unleak.pipeline.api import check_source
from unleak.settings import Settings, Severity


def findings(src: str, settings: Settings | None = None) -> list[tuple[int, str, str, str]]:
    text = textwrap.dedent(src)
    out = check_source(text, "m.py", settings or Settings())
    return [(f.span.line, f.code, f.severity.value, f.message) for f in out]


def test_only_socket_options_in_between_is_information() -> None:
    got = findings(
        """
        import socket

        def connect(host):
            sock = socket.socket()
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.settimeout(5)
            return sock
        """
    )
    assert [(line, code, sev) for line, code, sev, _ in got] == [(5, "UL102", "info")]


def test_likely_failure_is_named_over_an_earlier_unlikely_one() -> None:
    got = findings(
        """
        import socket

        def connect(host):
            sock = socket.socket()
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.connect((host, 80))
            return sock
        """
    )
    assert len(got) == 1
    line, code, sev, message = got[0]
    assert (line, code, sev) == (5, "UL102", "warning")
    assert "`sock.connect((host, 80))` on line 7 raises" in message  # not setsockopt() on line 6


def test_unlikely_severity_is_configurable_per_code() -> None:
    src = """
        import logging

        def add(fname, fmt):
            h = logging.FileHandler(fname)
            h.setFormatter(fmt)
            return h
        """
    assert findings(src)[0][2] == "info"
    keep = Settings(unlikely_severities=(("UL102", Severity.WARNING),))
    assert findings(src, keep)[0][2] == "warning"
    # Never more severe than the code's own severity.
    quiet = Settings(
        severities=(("UL102", Severity.HINT),), unlikely_severities=(("UL102", Severity.ERROR),)
    )
    assert findings(src, quiet)[0][2] == "hint"


def test_chmod_and_umask_on_a_new_temp_file_are_unlikely() -> None:
    got = findings(
        """
        import os
        import tempfile

        def make(d):
            fd, name = tempfile.mkstemp(dir=d)
            os.umask(0o22)
            os.chmod(name, 0o600)
            return fd, name
        """
    )
    assert [(code, sev) for _, code, sev, _ in got] == [("UL102", "info")]


def test_entering_a_lock_does_not_raise() -> None:
    # Entering `with self._lock:` blocks until the lock is held; it is not a way for the
    # file to leak before the body closes it.
    got = findings(
        """
        class Store:
            def save(self, path, data):
                f = open(path, "w")
                with self._lock:
                    try:
                        f.write(data)
                    finally:
                        f.close()
        """
    )
    assert got == []


@pytest.mark.parametrize(
    ("stmt", "unlikely"),
    [
        ("s.setsockopt(1, 2, 3)", True),
        ("s.setblocking(False)", True),
        ("s.bind(('127.0.0.1', 0))", True),
        ("s.bind((host, port))", False),
        ("s.connect(a.getsockname())", True),
        ("s.connect((host, 80))", False),
        ("os.chmod(p, 0o600)", True),
        ("typing.cast(int, x)", True),
        ("x = int(text)", False),
        ("x = d[k]", False),
        ("requests.get(url)", False),
        ("log.debug('x %s', y)", True),
        ("f.write(data)", False),
        ("handler(x)", False),
        ("start_response(status, headers)", True),
        ("self.sock = s", False),  # nothing raises at all: not an unlikely failure either
        ("debug = loop.get_debug()", True),
        ("log.addHandler(logging.StreamHandler())", True),
        ("h = [(k.title(), v) for k, v in resp.getheaders()]", True),
        ("data = resp.read()", False),
    ],
)
def test_failure_table(stmt: str, unlikely: bool) -> None:
    tree = ast.parse("import logging\nimport os\nimport typing\nimport requests\n" + stmt)
    resolver = NameResolver(tree, "m")
    assert unlikely_to_fail(tree.body[-1], resolver.qualify) is unlikely


@pytest.mark.parametrize(
    ("stmt", "unlikely"),
    [
        ("t = mimetypes.guess_type(name)[0] or 'application/octet-stream'", True),
        ("t = mimetypes.guess_type(name)[i]", False),
        ("util.chown(name, uid, gid)", True),
        ("if uid != os.geteuid() or gid != os.getegid(): pass", True),
        ("env = os.environ.get('HOME')", True),
        ("uid = os.fstat(fd).st_uid", True),
        ("atexit.register(p.terminate)", True),
        ("asyncio.set_event_loop(loop)", True),
        ("tmppath = Path(tmpname)", True),
        ("host = sock.getsockname()[0]", True),
        ("peer = sock.getpeername()[i]", False),
        ("data = sock.recv(4)[0]", False),
        ("os.stat(path)", False),
        ("if os.path.exists(keyring): pass", True),
        ("sys.audit('http.client.connect', self, host, port)", True),
        ("name = os.ttyname(slave)", True),
        ("lock = threading.RLock()", True),
        # connecting can fail; creating a socket, a pipe or a child fails only when the
        # system is out of descriptors, processes or memory
        ("with contextlib.closing(socket.create_connection(a)) as s: pass", False),
        ("s = socket.socket(socket.AF_UNIX)", True),
        ("a, b = socket.socketpair()", True),
        ("r, w = os.pipe()", True),
        ("fd = os.dup(sock.fileno())", True),
        ("fno = getattr(sys, name).fileno()", False),
        ("fno = getattr(self, name).fileno()", True),
        ("log.debug('%s', subprocess.list2cmdline(cmd))", True),
        ("line = shlex.join(argv)", True),
        ("handler.set_name('logfile')", True),
        ("fcntl.lockf(fd, fcntl.LOCK_EX)", True),
        ("fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)", False),
        ("termios.tcsetattr(fd, termios.TCSAFLUSH, attrs)", True),
        ("f = os.fdopen(fd, 'r+b', 0)", True),
        ("pid = os.fork()", True),
        # a constant index into a variable is its known shape; the command line is input
        ("host = address[0]", True),
        ("head, t, delay = self._queue[0]", True),
        ("last = self.items[-1]", True),
        ("arg = sys.argv[1]", False),
        ("v = d[key]", False),
        ("finished = dict[socket.socket, set[str]]", True),
        ("item = self._queue.popleft()", True),
        ("left = max(0.0, deadline - time.monotonic())", True),
        ("top = max(values)", False),
        ("winsize = struct.Struct('HHHH')", True),
        ("winsize = struct.Struct(fmt)", False),
        ("pattern = re.compile(r'^a+$')", True),
        ("wrapped = contextlib.closing(thing)", True),
        ("os.path.realpath(path, strict=True)", False),
        # predicates on an object's type, bits of a mode, typing aliases: pure computation
        ("if inspect.iscoroutinefunction(f.read): pass", True),
        ("regular = stat.S_ISREG(mode)", True),
        ("raw = typing.cast(typing.IO[bytes], f)", True),
        ("raw = typing.cast(IO[bytes], f)", True),
        ("item = IOS[i]", False),
        ("if all(flags) or any(marks): pass", True),
        ("package = sys.modules['__main__'].__package__", True),
        ("package = sys.modules[name].__package__", False),
        ("if all(f.readable() for f in files): pass", False),
    ],
)
def test_failure_table_lookups(stmt: str, unlikely: bool) -> None:
    tree = ast.parse(
        "import asyncio\nimport atexit\nimport contextlib\nimport os\nimport mimetypes\n"
        "import re\nimport socket\nimport struct\nimport sys\nimport threading\nimport time\n"
        "import inspect\nimport stat\nimport typing\nfrom typing import IO\n"
        "import subprocess\nimport shlex\nimport logging\nlog = logging.getLogger()\n"
        "import fcntl\nimport termios\n"
        "from pathlib import Path\nfrom pkg import util\n" + stmt
    )
    node = tree.body[-1]
    if isinstance(node, ast.If):
        node = node.test  # type: ignore[assignment]
    assert unlikely_to_fail(node, NameResolver(tree, "m").qualify) is unlikely


def test_project_helper_that_only_sets_options_is_unlikely_to_fail() -> None:
    # A helper of this module (or a method of the class on `self`) whose body only sets
    # options fails as rarely as the options do; one that connects can fail.
    got = findings(
        """
        import socket

        def _tune(sock):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.settimeout(5)

        def _reach(sock):
            sock.connect(("example.org", 80))

        def quiet(addr):
            s = socket.socket()
            _tune(s)
            return s

        def loud(addr):
            s = socket.socket()
            _reach(s)
            return s

        class Client:
            def _opts(self, s):
                s.setblocking(False)

            def make(self):
                s = socket.socket()
                self._opts(s)
                return s
        """
    )
    assert [(line, sev) for line, _, sev, _ in got] == [(12, "info"), (17, "warning"), (26, "info")]
    assert "`_reach(s)` on line 18 raises" in got[1][3]


def test_helper_that_catches_every_exception_is_unlikely_to_fail() -> None:
    # Its body's failures are caught; only what its handler does can raise.
    got = findings(
        """
        import os

        def _probe(fd):
            try:
                return os.read(fd, 4)
            except Exception:
                return None

        def _probe_loudly(fd):
            try:
                return os.read(fd, 4)
            except Exception:
                raise RuntimeError("no terminal")

        def _probe_oserror(fd):
            try:
                return os.read(fd, 4)
            except ValueError:
                return None

        def quiet(path):
            fd = os.open(path, os.O_RDONLY)
            size = _probe(fd)
            os.close(fd)
            return size

        def loud(path):
            fd = os.open(path, os.O_RDONLY)
            size = _probe_loudly(fd)
            os.close(fd)
            return size

        def narrow(path):
            fd = os.open(path, os.O_RDONLY)
            size = _probe_oserror(fd)
            os.close(fd)
            return size
        """
    )
    assert [(line, sev) for line, _, sev, _ in got] == [
        (23, "info"),
        (29, "warning"),
        (35, "warning"),
    ]


def test_helper_catching_the_oserror_its_body_raises_is_unlikely_to_fail() -> None:
    # `except OSError` around calls that fail only with OSError catches all they raise.
    got = findings(
        """
        import os
        import stat

        def _regular(f):
            try:
                return stat.S_ISREG(os.fstat(f.fileno()).st_mode)
            except OSError:
                return True

        def _regular_parsed(f):
            try:
                return int(f.readline())
            except OSError:
                return 0

        def regular(fd):
            f = os.fdopen(fd, "rb")
            if _regular(f):
                f.close()
                return True
            f.close()
            return False

        def parsed(fd):
            f = os.fdopen(fd, "rb")
            if _regular_parsed(f):
                f.close()
                return True
            f.close()
            return False
        """
    )
    assert [(line, sev) for line, _, sev, _ in got] == [(18, "info"), (26, "warning")]


def test_stepping_through_a_dict_view_is_unlikely_to_fail() -> None:
    # A `for` head over `d.items()` takes the next element without I/O: the message names the
    # likely statement of the body; a loop over a file can fail at its head.
    got = findings(
        """
        import os

        def scan(path, marks, parse):
            fd = os.open(path, os.O_RDONLY)
            for key, seen in marks.items():
                seen.append(parse(key))
            os.close(fd)

        def tally(marks):
            fd = os.open("/dev/null", os.O_RDONLY)
            for key, seen in marks.items():
                seen.append(key)
            os.close(fd)

        def lines(path, out):
            f = open(path)
            fd = os.open("/dev/null", os.O_RDONLY)
            for line in f:
                out.append(line)
            os.close(fd)
            f.close()
        """
    )
    assert [(line, sev) for line, _, sev, _ in got] == [
        (5, "warning"),
        (11, "info"),
        (17, "warning"),
        (18, "warning"),
    ]
    assert "`seen.append(parse(key))` on line 7 raises" in got[0][3]
    assert "`out.append(line)`" not in got[3][3]


def test_a_short_constant_written_to_a_buffered_file_is_unlikely_to_fail() -> None:
    # It goes to the buffer; a failing flush surfaces in close(), which still closes.
    got = findings(
        """
        import os

        def header(path):
            f = open(path, "ab")
            f.write(b"# generated\\n")
            f.close()

        def rendered(path, render):
            f = open(path, "a")
            f.write(render())
            f.close()

        def raw(path, data):
            f = open(path, "ab", buffering=0)
            f.write(data)
            f.close()

        def to_pipe(fd, data):
            f = os.fdopen(fd, "wb", 0)
            f.write(data)
            f.close()

        def in_locale(path, text):
            f = open(path, "w", encoding="utf-8")
            f.write(text)  # of any size: past the buffer
            f.close()

        def marker(path):
            f = open(path, "w")
            f.write("done\\n")
            f.close()

        def accented(path):
            f = open(path, "w")
            f.write("d\u00e9j\u00e0 vu\\n")  # may not encode in the locale's encoding
            f.close()
        """
    )
    assert [(line, sev) for line, _, sev, _ in got] == [
        (5, "info"),
        (10, "warning"),
        (15, "warning"),
        (20, "warning"),
        (25, "warning"),
        (30, "info"),
        (35, "warning"),
    ]
    assert "`f.write(render())` on line 11" in got[1][3]


def test_recursive_or_raising_helpers_can_fail() -> None:
    got = findings(
        """
        import socket

        def _again(n):
            if n:
                _again(n - 1)

        def _check(sock):
            if sock.gettimeout() is None:
                raise ValueError("blocking")

        def a():
            s = socket.socket()
            _again(3)
            return s

        def b():
            s = socket.socket()
            _check(s)
            return s
        """
    )
    assert [(line, sev) for line, _, sev, _ in got] == [(13, "warning"), (18, "warning")]


def test_helper_failing_only_with_oserror_is_caught_by_an_oserror_handler() -> None:
    # `_bind` fails only with OSError (an `os` call, a method of its parameter annotated as a
    # socket): the handler that closes the socket catches every way it fails: no leak.
    got = findings(
        """
        import os
        import socket

        def _bind(sock: socket.socket, path):
            os.unlink(path)
            sock.bind(path)

        def serve(path):
            s = socket.socket(socket.AF_UNIX)
            try:
                _bind(s, path)
            except OSError:
                s.close()
                raise
            return s
        """
    )
    assert got == []


@pytest.mark.parametrize("method", ["error", "exception", "critical"])
def test_a_module_loggers_error_methods_do_not_raise(method: str) -> None:
    tree = ast.parse(f"import logging\nlogger = logging.getLogger(__name__)\nlogger.{method}('x')")
    assert unlikely_to_fail(tree.body[-1], NameResolver(tree, "m").qualify)
    # A method of that name on anything else may be a program's own (argparse's exits).
    tree = ast.parse(f"parser.{method}('x')")
    assert not unlikely_to_fail(tree.body[-1], NameResolver(tree, "m").qualify)


def test_a_failing_bind_that_ends_the_process_leaves_only_unlikely_paths() -> None:
    # uvicorn's bind_socket: the realistic failure (OSError from bind) is logged and ends the
    # server; the socket leaks only if logging raised, which it does not.
    got = findings(
        """
        import logging
        import socket
        import sys

        logger = logging.getLogger(__name__)

        def bind_socket(host, port):
            sock = socket.socket(family=socket.AF_INET, type=socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((host, port))
            except OSError as exc:
                logger.error(exc)
                sys.exit(3)
            return sock
        """
    )
    assert [(line, code, sev) for line, code, sev, _ in got] == [(9, "UL102", "info")]


def test_a_lock_held_over_a_constant_index_of_a_non_empty_queue_is_information() -> None:
    # watchdog's DelayedQueue.get: the wait loop leaves the queue non-empty or closed.
    got = findings(
        """
        import threading
        from collections import deque

        class DelayedQueue:
            def __init__(self):
                self._not_empty = threading.Condition(threading.Lock())
                self._queue = deque()
                self._closed = False

            def get(self):
                while True:
                    self._not_empty.acquire()
                    while len(self._queue) == 0 and not self._closed:
                        self._not_empty.wait()
                    if self._closed:
                        self._not_empty.release()
                        return None
                    head, insert_time, delay = self._queue[0]
                    if not delay:
                        self._queue.popleft()
                        self._not_empty.release()
                        return head
                    self._not_empty.release()
        """
    )
    assert [(line, code, sev) for line, code, sev, _ in got] == [(13, "UL105", "info")]


def test_a_second_pipe_or_a_fork_failing_is_unlikely() -> None:
    got = findings(
        """
        import os

        def spawn(argv):
            r, w = os.pipe()
            pid = os.fork()
            if pid == 0:
                os.close(r)
                os.execv(argv[0], argv)
            os.close(w)
            os.close(r)
            return pid
        """
    )
    assert {(code, sev) for _, code, sev, _ in got} == {("UL102", "info")}


def test_packing_with_a_constant_format_and_utf8_encoding_are_unlikely() -> None:
    got = findings(
        """
        import fcntl
        import struct

        def tun(name):
            f = open("/dev/net/tun", "r+b")
            try:
                ifr = struct.pack("16sH", name.encode(), 0x0001)
                fcntl.ioctl(f, 0x400454CA, ifr)
            except OSError:
                f.close()
                raise
            return f

        def framed(path, fmt, value, encoder):
            f = open(path, "wb")
            data = struct.pack(fmt, value)
            return f, data

        def encoded(path, encoder, obj):
            f = open(path, "wb")
            data = encoder.encode(obj)
            return f, data
        """
    )
    by_line = {line: (code, sev) for line, code, sev, _ in got}
    # ioctl raises OSError, handled; the rest cannot fail but on a programming error.
    assert by_line[6] == ("UL102", "info")
    # A format (or an encoder) the code does not spell out may reject the values.
    assert by_line[16] == ("UL102", "warning")
    assert by_line[21] == ("UL102", "warning")


def test_a_resource_kept_in_a_public_attribute_is_information() -> None:
    got = findings(
        """
        import sqlite3
        import subprocess

        class Job:
            def __init__(self, args, path):
                self.proc = subprocess.Popen(args, stdout=subprocess.PIPE)
                self._db = sqlite3.connect(path)
        """
    )
    by_line = {line: (code, sev, message) for line, code, sev, message in got}
    code, sev, message = by_line[7]
    assert (code, sev) == ("UL106", "info")
    assert "the public `self.proc`" in message and "unless its users are meant to" in message
    assert by_line[8][:2] == ("UL106", "warning")


def test_cancellation_passes_except_exception_in_async_code_only() -> None:
    """neo4j's `_connect_secure`: `except Exception:` closes the socket on every failure of
    the synchronous connect (what is left needs a log call to fail: information), but a task
    cancelled at the `await` goes past it (a warning naming that `await`)."""
    got = findings(
        """
        import socket

        def connect(addr):
            s = None
            try:
                s = socket.socket()
                s.connect(addr)
            except Exception as error:
                log.debug("%s", " ".join(map(repr, error.args)))
                s.close()
                raise
            return s

        async def aconnect(loop, addr):
            s = None
            try:
                s = socket.socket()
                await loop.sock_connect(s, addr)
            except Exception as error:
                log.debug("%s", " ".join(map(repr, error.args)))
                s.close()
                raise
            return s
        """
    )
    assert [(line, sev) for line, _, sev, _ in got] == [(7, "info"), (18, "warning")]
    assert "if the task is cancelled at the `await` on line 19" in got[1][3]


def test_an_ordinary_failure_is_named_before_a_cancellation() -> None:
    got = findings(
        """
        import socket

        async def aconnect(loop, addr):
            s = socket.socket()
            try:
                await loop.sock_connect(s, addr)
            except Exception:
                return None
            return s
        """
    )
    assert [(line, sev) for line, _, sev, _ in got] == [(5, "warning")]
    assert "if `loop.sock_connect(s, addr)` on line 7 raises" in got[0][3]
