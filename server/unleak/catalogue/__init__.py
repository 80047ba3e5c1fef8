"""The declarative resource catalogue: what acquires a resource, what releases it, what
`with` really does, and which calls take ownership of what they are given.

This module is data. The analysis reads it through `Catalogue` lookups only; users extend it
from configuration (`extra-resources`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from unleak.settings import ExtraResource


@dataclass(frozen=True)
class ResourceType:
    name: str
    noun: str  # how messages name it: "file", "socket", ...
    release: frozenset[str]  # methods that release it
    release_functions: frozenset[str] = frozenset()  # e.g. os.close(fd)
    with_releases: bool = True
    with_note: str = ""  # what `with` does instead when it does not release
    supports_with: bool = True
    async_release: bool = False  # its release is awaited (aclose)
    maybe_falsy: bool = False  # has __len__/__bool__: `if res:` says nothing about openness
    exit_waits: str = ""  # `with`/release waits or kills: fixes must say so
    owning_methods: frozenset[str] = frozenset()  # methods taking ownership of their args
    # Methods that open what it holds, for a type that holds nothing until one is called
    # (an HTTPConnection connects on its first request): empty when it opens on creation.
    opened_by: frozenset[str] = frozenset()
    # An opening method that fails may leave it holding what it opened first (paramiko's
    # connect() keeps its transport and socket after a failed login).
    opens_partly: bool = False
    # Release methods that release only when they return: they do their work first, and
    # their release is not in a `finally` (a project class's `read()` that parses, then
    # closes): one that raises leaves the resource held.
    release_on_return: frozenset[str] = frozenset()
    # A project class that opens only when given a path, and uses a stream it is given as it
    # is (`XMLWriter(fileOrPath)`: `if not hasattr(fileOrPath, "write"): self.file =
    # open(...)`): the constructor's parameter (name, position after `self`) through which an
    # instance made over a stream (`sys.stdout`, a buffer, an open file) holds nothing.
    path_or_stream: tuple[str, int] | None = None


@dataclass(frozen=True)
class Factory:
    """A call that returns a fresh resource (or a tuple containing resources)."""

    type: str
    elements: tuple[str | None, ...] = ()  # per tuple element types when the result is a tuple
    owns_args: tuple[int | str, ...] = ()  # argument positions/keywords whose ownership moves in
    wrapper: bool = False  # only a resource when an owned argument is one


# Popen's arguments that make a pipe when given `subprocess.PIPE`.
POPEN_PIPES = ("stdin", "stdout", "stderr")
PIPED_POPEN = Factory("piped_process")


# A requests Session or an httpx Client opens connections on its first request.
_SESSION_REQUESTS = frozenset(
    {"get", "post", "put", "patch", "delete", "head", "options", "request", "send", "stream"}
)


def _t(name: str, noun: str, *release: str, **kw: object) -> ResourceType:
    return ResourceType(name, noun, frozenset(release), **kw)  # type: ignore[arg-type]


TYPES: dict[str, ResourceType] = {
    t.name: t
    for t in (
        _t("file", "file", "close", "detach"),
        _t(
            "fd",
            "file descriptor",
            release_functions=frozenset({"os.close", "os.closerange"}),
            supports_with=False,
        ),
        _t("tempdir", "temporary directory", "cleanup"),
        _t("archive", "archive", "close"),
        _t("shelf", "shelf", "close", maybe_falsy=True),
        _t("dbm", "dbm database", "close", maybe_falsy=True),
        _t("socket", "socket", "close", "detach"),
        _t(
            "process",
            "process",
            "wait",
            "communicate",
            "poll",
            exit_waits="`with Popen(...)` waits for the process to exit in `__exit__`",
        ),
        # `Popen(..., stdout=PIPE)`: wait() and poll() leave its pipes open (unclosed files
        # when it is collected); communicate() and `with` close them.
        _t(
            "piped_process",
            "process with pipes",
            "communicate",
            exit_waits="`with Popen(...)` waits for the process to exit in `__exit__`",
        ),
        _t(
            "pool",
            "process pool",
            "close",
            "terminate",
            exit_waits="`with Pool(...)` calls terminate() in `__exit__`, killing unfinished work",
        ),
        _t(
            "executor",
            "executor",
            "shutdown",
            exit_waits="`with` calls shutdown(wait=True) in `__exit__`, waiting for pending work",
        ),
        _t("connection", "database connection", "close"),
        _t(
            "sqlite",
            "sqlite3 connection",
            "close",
            with_releases=False,
            with_note="only ends the transaction",
        ),
        _t(
            "psycopg2",
            "psycopg2 connection",
            "close",
            with_releases=False,
            with_note="only ends the transaction",
        ),
        # read() with no size reads the whole body and closes the response.
        _t("response", "HTTP response", "close", "read()"),
        _t("mail", "mail server connection", "close", "quit", "logout", "shutdown"),
        _t("ftp", "FTP connection", "close", "quit"),
        _t(
            "http_connection",
            "HTTP connection",
            "close",
            supports_with=False,
            opened_by=frozenset({"connect", "request", "putrequest", "endheaders", "send"}),
        ),
        _t("stream", "stream writer", "close", supports_with=False),
        # What an event loop's create_connection(), connect_read_pipe(), subprocess_exec()...
        # return first: closing it closes the socket, pipe or process it was made on.
        _t("transport", "transport", "close", "abort", supports_with=False),
        _t("server", "server", "close"),
        _t("selector", "selector", "close"),
        _t("mmap", "memory map", "close", maybe_falsy=True),
        _t("session", "HTTP session", "close", opened_by=_SESSION_REQUESTS),
        # paramiko's SSHClient opens its socket and transport in connect(): one only
        # configured (host keys, policy) holds nothing; a failed login leaves them open.
        _t(
            "ssh_client",
            "SSH client",
            "close",
            opened_by=frozenset({"connect"}),
            opens_partly=True,
        ),
        _t("async_session", "HTTP client", "aclose", "close", async_release=True),
        _t(
            "exit_stack",
            "ExitStack",
            "close",
            "aclose",
            "pop_all",
            owning_methods=frozenset(
                {
                    "enter_context",
                    "enter_async_context",
                    "push",
                    "push_async_exit",
                    "callback",
                    "push_async_callback",
                }
            ),
        ),
        _t("handler", "logging handler", "close"),
        _t(
            "event_loop",
            "event loop",
            "close",
            supports_with=False,
            # close() shuts down the default executor it was given.
            owning_methods=frozenset({"set_default_executor"}),
        ),
        _t("closing", "closing() wrapper", "close"),
        _t("resource", "resource", "close"),
    )
}

# Qualified name of a callable -> what calling it acquires.
FACTORIES: dict[str, Factory] = {
    "builtins.open": Factory("file", owns_args=(0,)),
    "io.open": Factory("file", owns_args=(0,)),
    "io.FileIO": Factory("file", owns_args=(0,)),
    "codecs.open": Factory("file"),
    "os.fdopen": Factory("file", owns_args=(0,)),
    "os.open": Factory("fd"),
    "os.openpty": Factory("fd", elements=("fd", "fd")),
    "pty.openpty": Factory("fd", elements=("fd", "fd")),
    "os.pipe": Factory("fd", elements=("fd", "fd")),
    "os.dup": Factory("fd"),
    "os.memfd_create": Factory("fd"),
    "tempfile.NamedTemporaryFile": Factory("file"),
    "tempfile.TemporaryFile": Factory("file"),
    # tempfile.SpooledTemporaryFile holds no descriptor until it rolls over to disk.
    "tempfile.TemporaryDirectory": Factory("tempdir"),
    "tempfile.mkstemp": Factory("fd", elements=("fd", None)),
    "zipfile.ZipFile": Factory("archive"),
    "zipfile.PyZipFile": Factory("archive"),
    "tarfile.open": Factory("archive"),
    "tarfile.TarFile": Factory("archive"),
    "tarfile.TarFile.open": Factory("archive"),
    "gzip.open": Factory("file"),
    "gzip.GzipFile": Factory("file"),  # does not own fileobj=: the caller still closes it
    "bz2.open": Factory("file"),
    "bz2.BZ2File": Factory("file"),
    "lzma.open": Factory("file"),
    "lzma.LZMAFile": Factory("file"),
    "shelve.open": Factory("shelf"),
    "shelve.DbfilenameShelf": Factory("shelf"),
    "dbm.open": Factory("dbm"),
    "dbm.gnu.open": Factory("dbm"),
    "dbm.ndbm.open": Factory("dbm"),
    "dbm.dumb.open": Factory("dbm"),
    "dbm.sqlite3.open": Factory("dbm"),
    "socket.socket": Factory("socket", owns_args=("fileno",)),
    "socket.create_connection": Factory("socket"),
    "socket.create_server": Factory("socket"),
    "socket.fromfd": Factory("socket"),
    "socket.socketpair": Factory("socket", elements=("socket", "socket")),
    "ssl.wrap_socket": Factory("socket", owns_args=(0, "sock")),
    "subprocess.Popen": Factory("process"),  # "piped_process" with a PIPE (see POPEN_PIPES)
    "multiprocessing.Pool": Factory("pool"),
    "multiprocessing.pool.Pool": Factory("pool"),
    "multiprocessing.pool.ThreadPool": Factory("pool"),
    "multiprocessing.dummy.Pool": Factory("pool"),
    "concurrent.futures.ThreadPoolExecutor": Factory("executor"),
    "concurrent.futures.ProcessPoolExecutor": Factory("executor"),
    "concurrent.futures.thread.ThreadPoolExecutor": Factory("executor"),
    "concurrent.futures.process.ProcessPoolExecutor": Factory("executor"),
    "sqlite3.connect": Factory("sqlite"),
    "sqlite3.dbapi2.connect": Factory("sqlite"),
    "urllib.request.urlopen": Factory("response"),
    "urllib.request.OpenerDirector.open": Factory("response"),
    "http.client.HTTPConnection": Factory("http_connection"),
    "http.client.HTTPSConnection": Factory("http_connection"),
    "ftplib.FTP": Factory("ftp"),
    "ftplib.FTP_TLS": Factory("ftp"),
    "smtplib.SMTP": Factory("mail"),
    "smtplib.SMTP_SSL": Factory("mail"),
    "poplib.POP3": Factory("mail"),
    "imaplib.IMAP4": Factory("mail"),
    "telnetlib.Telnet": Factory("socket"),
    # A socket given as sock= is the stream's or the server's from then on.
    "asyncio.open_connection": Factory("stream", elements=(None, "stream"), owns_args=("sock",)),
    "asyncio.open_unix_connection": Factory(
        "stream", elements=(None, "stream"), owns_args=("sock",)
    ),
    "asyncio.new_event_loop": Factory("event_loop"),
    "asyncio.events.new_event_loop": Factory("event_loop"),
    "asyncio.start_server": Factory("server", owns_args=("sock",)),
    "asyncio.start_unix_server": Factory("server", owns_args=("sock",)),
    "selectors.DefaultSelector": Factory("selector"),
    # SelectSelector and PollSelector hold no descriptor of their own.
    "selectors.EpollSelector": Factory("selector"),
    "selectors.DevpollSelector": Factory("selector"),
    "selectors.KqueueSelector": Factory("selector"),
    "select.epoll": Factory("selector"),
    "select.kqueue": Factory("selector"),
    "mmap.mmap": Factory("mmap"),
    "contextlib.ExitStack": Factory("exit_stack"),
    "contextlib.AsyncExitStack": Factory("exit_stack"),
    "logging.FileHandler": Factory("handler"),
    "wave.open": Factory("file"),
    "aifc.open": Factory("file"),
    "sunau.open": Factory("file"),
    # Third-party libraries, recognised by name without importing them.
    "requests.Session": Factory("session"),
    "requests.session": Factory("session"),
    "requests.sessions.Session": Factory("session"),
    "httpx.Client": Factory("session"),
    "httpx.AsyncClient": Factory("async_session"),
    "aiohttp.ClientSession": Factory("async_session"),
    "psycopg.connect": Factory("connection"),
    "psycopg.Connection.connect": Factory("connection"),
    "psycopg2.connect": Factory("psycopg2"),
    "pymysql.connect": Factory("connection"),
    "pymysql.Connect": Factory("connection"),
    "MySQLdb.connect": Factory("connection"),
    "mysql.connector.connect": Factory("connection"),
    "redis.Redis": Factory("connection"),
    "paramiko.SSHClient": Factory("ssh_client"),
    "paramiko.client.SSHClient": Factory("ssh_client"),
    # Wrappers: a resource only when what they wrap is one; they own it from then on.
    "io.TextIOWrapper": Factory("file", owns_args=(0, "buffer"), wrapper=True),
    "io.BufferedReader": Factory("file", owns_args=(0, "raw"), wrapper=True),
    "io.BufferedWriter": Factory("file", owns_args=(0, "raw"), wrapper=True),
    "io.BufferedRandom": Factory("file", owns_args=(0, "raw"), wrapper=True),
    "io.BufferedRWPair": Factory("file", owns_args=(0, 1), wrapper=True),
    "codecs.getreader": Factory("file", wrapper=True),
    "contextlib.closing": Factory("closing", owns_args=(0, "thing"), wrapper=True),
    "contextlib.nullcontext": Factory("resource", wrapper=True),
}

# Methods that acquire whatever the receiver's type: (method name, factory).
METHOD_FACTORIES: dict[str, Factory] = {
    "wrap_socket": Factory("socket", owns_args=(0, "sock")),
    "pop_all": Factory("exit_stack"),
}

MP_CONTEXT = "multiprocessing.context.BaseContext"
# An asyncio event loop the code did not make (`asyncio.get_running_loop()`, an annotated
# parameter): its methods acquire as a new loop's do, but it is not the code's to close.
EVENT_LOOP = "asyncio.AbstractEventLoop"
EVENT_LOOPS = ("event_loop", EVENT_LOOP)
# A loop's coroutine methods that acquire: only a run of the coroutine does (`await
# loop.create_server(...)`, `loop.run_until_complete(loop.create_server(...))`); one given to
# a task is the task's. The transports of create_connection(), connect_read_pipe(),
# subprocess_exec()... are not here: the loop hands each to the protocol the factory made
# (`connection_made(transport)`), which commonly closes it; `_, protocol = await ...` is the
# usual way to call them, and the caller's not closing the transport is no leak of its own.
_LOOP_FACTORIES: dict[str, Factory] = {
    "create_server": Factory("server", owns_args=("sock",)),
    "create_unix_server": Factory("server", owns_args=("sock",)),
}
LOOP_COROUTINE_FACTORIES = frozenset(_LOOP_FACTORIES)
# `loop.run_until_complete(coro)` runs the coroutine and returns its result.
LOOP_RUN = "run_until_complete"

# Methods on a receiver of a known class that acquire.
TYPED_METHOD_FACTORIES: dict[tuple[str, str], Factory] = {
    ("pathlib.Path", "open"): Factory("file"),
    ("socket", "accept"): Factory("socket", elements=("socket", None)),
    ("socket", "dup"): Factory("socket"),
    ("socket", "makefile"): Factory("file"),
    ("zipfile.ZipFile", "open"): Factory("file"),
    ("tarfile.TarFile", "extractfile"): Factory("file"),
    ("urllib.request.OpenerDirector", "open"): Factory("response"),
    ("http_connection", "getresponse"): Factory("response"),
    # `multiprocessing.get_context("fork").Pool(2)`: a context's Pool is the module's.
    (MP_CONTEXT, "Pool"): Factory("pool"),
    **{(loop, m): f for loop in EVENT_LOOPS for m, f in _LOOP_FACTORIES.items()},
}

# Calls of these constructors produce objects of a known class (for typed method lookups).
CLASS_CONSTRUCTORS: dict[str, str] = {
    "pathlib.Path": "pathlib.Path",
    "pathlib.PosixPath": "pathlib.Path",
    "pathlib.WindowsPath": "pathlib.Path",
    "pathlib.PurePath": "pathlib.Path",
    "pathlib.Path.home": "pathlib.Path",
    "pathlib.Path.cwd": "pathlib.Path",
    "urllib.request.build_opener": "urllib.request.OpenerDirector",
    "multiprocessing.get_context": MP_CONTEXT,
    "asyncio.get_running_loop": EVENT_LOOP,
    "asyncio.get_event_loop": EVENT_LOOP,
    "asyncio.events.get_running_loop": EVENT_LOOP,
    "asyncio.events.get_event_loop": EVENT_LOOP,
    # In-memory buffers: an archive or compressor written into one holds no descriptor.
    "io.BytesIO": "io.BytesIO",
    "io.StringIO": "io.StringIO",
}
PATH_RETURNING_METHODS = frozenset(
    {
        "joinpath",
        "with_suffix",
        "with_name",
        "with_stem",
        "resolve",
        "absolute",
        "expanduser",
        "relative_to",
        "parent",
        "parents",
    }
)

# Callables that use their arguments but never take ownership (and never release).
BORROWERS: frozenset[str] = frozenset(
    {
        "builtins.print",
        "builtins.len",
        "builtins.iter",
        "builtins.next",
        "builtins.enumerate",
        "builtins.zip",
        "builtins.isinstance",
        "builtins.issubclass",
        "builtins.str",
        "builtins.repr",
        "builtins.bool",
        "builtins.id",
        "builtins.type",
        "builtins.hasattr",
        "builtins.getattr",
        "builtins.list",
        "builtins.tuple",
        "builtins.set",
        "builtins.sorted",
        "builtins.sum",
        "builtins.any",
        "builtins.all",
        "builtins.min",
        "builtins.max",
        "builtins.map",
        "builtins.filter",
        "builtins.hash",
        "builtins.vars",
        "builtins.dir",
        "builtins.format",
        "builtins.callable",
        "builtins.reversed",
        "builtins.dict",
        "builtins.frozenset",
        "builtins.bytes",
        "builtins.bytearray",
        "builtins.memoryview",
        "json.load",
        "json.dump",
        "pickle.load",
        "pickle.dump",
        "marshal.load",
        "marshal.dump",
        "csv.reader",
        "csv.writer",
        "csv.DictReader",
        "csv.DictWriter",
        "tomllib.load",
        "plistlib.load",
        "plistlib.dump",
        "shutil.copyfileobj",
        "os.fstat",
        "os.fsync",
        "os.read",
        "os.write",
        "os.lseek",
        "os.ftruncate",
        "os.set_inheritable",
        "os.set_blocking",
        "os.get_inheritable",
        "os.isatty",
        "os.dup2",
        "os.fchmod",
        "os.fchown",
        "fcntl.fcntl",
        "fcntl.flock",
        "fcntl.ioctl",
        "fcntl.lockf",
        "select.select",
        "hashlib.file_digest",
        "email.message_from_file",
        "email.message_from_binary_file",
        "configparser.ConfigParser.read_file",
        "tokenize.tokenize",
        "tokenize.detect_encoding",
        "yaml.safe_load",
        "yaml.load",
        "yaml.dump",
        "yaml.safe_dump",
        "toml.load",
        "toml.dump",
        "logging.debug",
        "logging.info",
        "logging.warning",
        "logging.error",
        "logging.exception",
        "copy.copy",
        "typing.cast",
        "contextlib.suppress",
        "traceback.print_exc",
        "sys.getsizeof",
        "sys.getrefcount",
        "os.fspath",
        "weakref.ref",
        "time.sleep",
        "os.get_terminal_size",
        "termios.tcgetattr",
        "termios.tcsetattr",
        "tty.setraw",
        "pprint.pprint",
        # The current loop of the thread: set_event_loop() never closes it.
        "asyncio.set_event_loop",
        "asyncio.events.set_event_loop",
    }
)
# Method names that only use their arguments (the receiver is not a known resource).
BORROWING_METHODS: frozenset[str] = frozenset(
    {
        "backup",
        "execute",
        "executemany",
        "executescript",
        "assertEqual",
        "assertTrue",
        "assertFalse",
        "assertIs",
        "assertIn",
        "assertIsInstance",
        "assertIsNotNone",
        "debug",
        "info",
        "warning",
        "error",
        "exception",
        "critical",
        "log",
        "format",
        "join",
        "startswith",
        "endswith",
        "write",
        "writelines",
        "send",
        "sendall",
        "sendfile",
        "fileno",
        "readinto",
        # `loop.run_in_executor(pool, fn, *args)` runs fn in the pool; neither keeps them.
        "run_in_executor",
        # an event loop's socket operations use the socket they are given
        "sock_connect",
        "sock_accept",
        "sock_recv",
        "sock_recv_into",
        "sock_recvfrom",
        "sock_recvfrom_into",
        "sock_sendall",
        "sock_sendto",
        "sock_sendfile",
        "get",
        "index",
        "count",
        "__contains__",
        "isinstance",
    }
)

# Calls that end the process: a resource open at that point is not a leak worth reporting.
TERMINATORS: frozenset[str] = frozenset(
    {
        "sys.exit",
        "os._exit",
        "os.abort",
        "builtins.exit",
        "builtins.quit",
        "os.execv",
        "os.execve",
        "os.execl",
        "os.execle",
        "os.execlp",
        "os.execvp",
        "os.execvpe",
        "os.execlpe",
        "pytest.exit",
        "pytest.fail",
        "pytest.skip",
    }
)

# Calls whose arguments are handed to something that releases them later.
REGISTRARS: frozenset[str] = frozenset({"atexit.register", "weakref.finalize", "signal.signal"})

# Methods that register their first argument with their receiver -> the method that takes
# it back: registered, a resource is the registry's; taken back, it is the caller's again.
UNDONE_BY: dict[str, str] = {
    "addHandler": "removeHandler",
    "addFilter": "removeFilter",
    "register": "unregister",
    "add_reader": "remove_reader",
    "add_writer": "remove_writer",
}
UNDOING: frozenset[str] = frozenset(UNDONE_BY.values())


@dataclass(frozen=True)
class LockKind:
    constructors: frozenset[str]
    acquire: str = "acquire"
    release: str = "release"


LOCKS = LockKind(
    frozenset(
        {
            "threading.Lock",
            "threading.RLock",
            "threading.Semaphore",
            "threading.BoundedSemaphore",
            "threading.Condition",
            "threading._RLock",
            "multiprocessing.Lock",
            "multiprocessing.RLock",
            "multiprocessing.Semaphore",
            "multiprocessing.BoundedSemaphore",
            "multiprocessing.Condition",
            "asyncio.Lock",
            "asyncio.Semaphore",
            "asyncio.BoundedSemaphore",
            "asyncio.Condition",
            "_thread.allocate_lock",
            "_thread.LockType",
            "thread.allocate_lock",
        }
    )
)

TASK_SPAWNERS: frozenset[str] = frozenset(
    {
        "asyncio.create_task",
        "asyncio.ensure_future",
        "asyncio.tasks.create_task",
        "asyncio.tasks.ensure_future",
    }
)

# Clients that open their connection in the constructor only when given a host.
CONNECT_LATER: frozenset[str] = frozenset(
    {"smtplib.SMTP", "smtplib.SMTP_SSL", "ftplib.FTP", "ftplib.FTP_TLS", "telnetlib.Telnet"}
)

# Factories that also accept an open file object instead of a path: given one, they own no
# descriptor of their own and do not close it.
ACCEPTS_FILEOBJ: frozenset[str] = frozenset(
    {
        "wave.open",
        "aifc.open",
        "sunau.open",
        "zipfile.ZipFile",
        "zipfile.PyZipFile",
        "tarfile.open",
        "tarfile.TarFile",
        "tarfile.TarFile.open",
        "bz2.open",
        "bz2.BZ2File",
        "lzma.open",
        "lzma.LZMAFile",
        "gzip.open",
        "gzip.GzipFile",
    }
)
FILEOBJ_NAMES: frozenset[str] = frozenset(
    {
        "f",
        "fp",
        "fh",
        "fo",
        "fobj",
        "file",
        "fileobj",
        "file_obj",
        "stream",
        "buf",
        "buffer",
        "raw",
        "wrapped",
        "handle",
        "infile",
        "outfile",
        "inp",
        "out",
    }
)
# Calls that cannot realistically raise between an acquisition and its release.
BENIGN_METHODS: frozenset[str] = frozenset(
    {
        "append",
        "appendleft",
        "add",
        "discard",
        "addCleanup",
        "addClassCleanup",
        "callback",
        "enter_context",
        "push",
        "debug",
        "info",
        "warning",
        "items",
        "keys",
        "values",
        "copy",
        "startswith",
        "endswith",
        "fileno",
        "setdefault",
        "acquire",
        "notify",
        "notify_all",
        "is_set",
        "set_debuglevel",
    }
)
# Contexts inside which an acquisition is expected to fail.
EXPECT_RAISES: frozenset[str] = frozenset(
    {"assertRaises", "assertRaisesRegex", "assertRaisesRegexp", "raises", "assertWarns"}
)
CACHE_DECORATORS: frozenset[str] = frozenset({"functools.lru_cache", "functools.cache"})


@dataclass
class Catalogue:
    types: dict[str, ResourceType] = field(default_factory=lambda: dict(TYPES))
    factories: dict[str, Factory] = field(default_factory=lambda: dict(FACTORIES))

    @classmethod
    def with_extras(cls, extras: tuple[ExtraResource, ...]) -> Catalogue:
        cat = cls()
        for extra in extras:
            type_name = f"user:{extra.factory}"
            cat.types[type_name] = ResourceType(
                type_name, extra.kind, frozenset(extra.release), with_releases=extra.with_releases
            )
            cat.factories[extra.factory] = Factory(type_name)
        return cat

    def release_methods(self) -> frozenset[str]:
        return self._release_index()[0]

    @property
    def release_functions(self) -> frozenset[str]:
        return self._release_index()[1]

    def releases_on_return(self) -> frozenset[str]:
        """Release methods that some type's instances release through only when the call
        returns (see `ResourceType.release_on_return`): a call of one may raise."""
        return self._release_index()[2]

    def _release_index(self) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
        # Types can be added (resource classes), so the cache is keyed on their number.
        cached = self.__dict__.get("_release_cache")
        if cached is not None and cached[0] == len(self.types):
            return cached[1]  # type: ignore[no-any-return]
        methods: set[str] = set()
        functions: set[str] = set()
        on_return: set[str] = set()
        for t in self.types.values():
            methods |= t.release
            functions |= t.release_functions
            on_return |= t.release_on_return
        index = (frozenset(methods), frozenset(functions), frozenset(on_return))
        self.__dict__["_release_cache"] = (len(self.types), index)
        return index


DEFAULT_CATALOGUE = Catalogue()
