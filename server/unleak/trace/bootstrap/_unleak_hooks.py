"""Creation hooks: the constructors and factories of the resources the static catalogue knows
are wrapped in the traced process, so that each resource records its stack when it is made.

Resources are made rarely, so this costs little, unlike ``tracemalloc``, which records a
traceback for every allocation. A module is patched when it is first imported (a meta path
finder runs right after its code), or at once if it already was.

Standard library only; a hook never raises into the program.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the bootstrap directory is on sys.path in the traced process
    from unleak.trace.bootstrap import _unleak_sites as sites
else:
    import _unleak_sites as sites

# pytest leaves the frames of a module with this global out of its failure reports: a
# wrapper between the program and the factory it wraps is the tracer's, not the program's.
__tracebackhide__ = True

# How a hook records:
INIT = "init"  # a class: its __init__ (so its subclasses too), and its __del__ if it has one
CALL = "call"  # a factory function: what it returns
FILE = "file"  # open(): the file, its buffer and raw file (a warning may name any of them)
FDS = "fds"  # returns a descriptor or a tuple of descriptors
PID = "pid"  # starts a child process and returns its pid
TYPE = "type"  # a C type whose instances only Python code makes: replaced by a subclass
TEXT = "text"  # INIT, and the warning names the object only by its repr (no source)

# Module -> (attribute, how). Not here: io.FileIO and select.epoll/kqueue, C types that the
# interpreter also makes itself or that cannot be subclassed (their leaks are still placed
# where they are noticed); contextlib's stacks and wrappers, which hold nothing of their own.
HOOKS: dict[str, tuple[tuple[str, str], ...]] = {
    "builtins": (("open", FILE),),
    "io": (("open", FILE),),
    "codecs": (("open", CALL),),  # a reader-writer around a file open() recorded too
    "wave": (("open", CALL),),
    "aifc": (("open", CALL),),
    "sunau": (("open", CALL),),
    "os": (
        ("open", FDS),
        ("pipe", FDS),
        ("pipe2", FDS),
        ("dup", FDS),
        ("openpty", FDS),
        ("memfd_create", FDS),
        ("eventfd", FDS),
        ("fork", PID),
        ("posix_spawn", PID),
        ("posix_spawnp", PID),
    ),
    "socket": (("socket", INIT),),  # also ssl sockets, accept(), create_connection() ...
    "subprocess": (("Popen", INIT),),
    "threading": (("Thread", INIT),),
    "sqlite3": (("connect", CALL),),
    "sqlite3.dbapi2": (("connect", CALL),),
    "zipfile": (("ZipFile", INIT),),
    "tarfile": (("TarFile", INIT),),
    "gzip": (("GzipFile", INIT),),
    "bz2": (("BZ2File", INIT),),
    "lzma": (("LZMAFile", INIT),),
    "tempfile": (
        ("SpooledTemporaryFile", INIT),
        ("_TemporaryFileWrapper", INIT),
        ("TemporaryDirectory", TEXT),  # "Implicitly cleaning up <TemporaryDirectory '...'>"
    ),
    "mmap": (("mmap", TYPE),),
    "selectors": (("_BaseSelectorImpl", INIT),),
    "multiprocessing.pool": (("Pool", INIT),),  # ThreadPool too
    "multiprocessing.managers": (("BaseManager", INIT),),
    "concurrent.futures.thread": (("ThreadPoolExecutor", INIT),),
    "concurrent.futures.process": (("ProcessPoolExecutor", INIT),),
    "asyncio.base_events": (("BaseEventLoop", INIT), ("Server", INIT)),
    "asyncio.streams": (("StreamWriter", INIT),),
    "asyncio.selector_events": (("_SelectorTransport", INIT),),
    "asyncio.proactor_events": (("_ProactorBasePipeTransport", INIT),),
    "asyncio.base_subprocess": (("BaseSubprocessTransport", INIT),),
    "asyncio.unix_events": (
        ("_UnixReadPipeTransport", INIT),
        ("_UnixWritePipeTransport", INIT),
    ),
    "asyncio.sslproto": (("_SSLProtocolTransport", INIT),),
    "shelve": (("Shelf", INIT),),
    "dbm": (("open", CALL),),
    "dbm.gnu": (("open", CALL),),
    "dbm.ndbm": (("open", CALL),),
    "dbm.dumb": (("_Database", INIT),),
    "dbm.sqlite3": (("_Database", INIT),),
    "http.client": (("HTTPConnection", INIT), ("HTTPResponse", INIT)),
    "urllib.response": (("addbase", INIT),),  # urlopen() of file: and ftp: URLs
    "ftplib": (("FTP", INIT),),
    "smtplib": (("SMTP", INIT),),
    "poplib": (("POP3", INIT),),
    "imaplib": (("IMAP4", INIT),),
    "telnetlib": (("Telnet", INIT),),
    "logging": (("FileHandler", INIT),),
}

_BASETYPE = 1 << 10  # Py_TPFLAGS_BASETYPE: the type can be subclassed
_mmap_targets: dict[int, str] = {}  # id(mmap) -> what the descriptor it duplicated names


def _record(obj: object) -> None:
    with contextlib.suppress(Exception):
        sites.remember(obj, sites.stack(0))


def _record_file(obj: object) -> None:
    with contextlib.suppress(Exception):
        frames = sites.stack(0)
        buffer = getattr(obj, "buffer", None)
        for part in (obj, buffer, getattr(buffer or obj, "raw", None)):
            if part is not None:
                sites.remember(part, frames)


def _record_text(obj: object) -> None:
    with contextlib.suppress(Exception):
        frames = sites.stack(0)
        sites.remember(obj, frames)
        sites.remember_text(repr(obj), frames)


def readlink(fd: int) -> str:
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return ""


def _record_fds(result: Any) -> None:
    with contextlib.suppress(Exception):
        frames = sites.stack(0)
        for fd in result if isinstance(result, tuple) else (result,):
            if isinstance(fd, int) and fd >= 0:
                sites.remember_fd(fd, readlink(fd), frames)


def _record_pid(result: Any) -> None:
    with contextlib.suppress(Exception):
        if isinstance(result, int) and result > 0:  # 0: the child side of a fork
            sites.remember_child(result, sites.stack(0))


_RECORDERS = {CALL: _record, FILE: _record_file, FDS: _record_fds, PID: _record_pid}


def _copy_identity(wrapper: Any, original: Any, name: str) -> None:
    wrapper.__name__ = getattr(original, "__name__", name)
    wrapper.__qualname__ = getattr(original, "__qualname__", name)
    # pickle finds a function by module and name: that leads back to the wrapper.
    wrapper.__module__ = getattr(original, "__module__", None) or wrapper.__module__
    wrapper.__doc__ = getattr(original, "__doc__", None)
    wrapper.__wrapped__ = original
    wrapper._unleak_wrapped = True


def wrap_function(owner: Any, name: str, record: Any) -> None:
    original = getattr(owner, name, None)
    if original is None or getattr(original, "_unleak_wrapped", False):
        return

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        record(result)
        return result

    _copy_identity(wrapper, original, name)
    setattr(owner, name, wrapper)
    home = sys.modules.get(wrapper.__module__)
    if home is not None and home is not owner and getattr(home, name, None) is original:
        setattr(home, name, wrapper)  # the same object under every name pickle may use


def _wrap_close() -> None:
    """os.close forgets the descriptor's site: a number is reused at once."""
    original = os.close
    if getattr(original, "_unleak_wrapped", False):
        return

    def close(fd: int) -> None:
        sites.forget_fd(fd)
        original(fd)

    _copy_identity(close, original, "close")
    os.close = close


def wrap_class(cls: Any, record: Any = _record) -> None:
    original = getattr(cls, "__init__", None)
    if not isinstance(cls, type) or original is None or original is object.__init__:
        return
    if getattr(original, "_unleak_wrapped", False):
        return  # a base class already records

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        record(self)

    _copy_identity(__init__, original, "__init__")
    try:
        setattr(cls, "__init__", __init__)  # noqa: B010 - mypy rejects assigning __init__
    except (TypeError, AttributeError):
        return
    _wrap_del(cls)


def _wrap_del(cls: Any) -> None:
    """While its ``__del__`` runs, the object is known: its warning may not name it."""
    original = cls.__dict__.get("__del__")
    if not callable(original) or getattr(original, "_unleak_wrapped", False):
        return
    enter, leave = sites.enter_finalizer, sites.leave_finalizer  # kept past module teardown

    def __del__(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            enter(self)
        except Exception:
            return original(self, *args, **kwargs)
        try:
            return original(self, *args, **kwargs)
        finally:
            with contextlib.suppress(Exception):
                leave()

    _copy_identity(__del__, original, "__del__")
    with contextlib.suppress(TypeError, AttributeError):
        cls.__del__ = __del__


def replace_type(module: Any, name: str) -> None:
    """A subclass that records, in place of a C type only Python code instantiates."""
    base = getattr(module, name, None)
    if not isinstance(base, type) or getattr(base, "_unleak_wrapped", False):
        return
    if not base.__flags__ & _BASETYPE:
        return

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        # The C type's __new__ made the object; it has no __init__ of its own.
        _record(self)
        if name == "mmap":
            fileno = args[0] if args else kwargs.get("fileno", -1)
            with contextlib.suppress(Exception):
                known = isinstance(fileno, int) and fileno >= 0
                _mmap_targets[id(self)] = readlink(fileno) if known else ""

    namespace = {
        "__slots__": () if base.__weakrefoffset__ else ("__weakref__",),
        "__init__": __init__,
        "__module__": base.__module__,
        "__qualname__": base.__qualname__,
        "__doc__": base.__doc__,
        "_unleak_wrapped": True,
    }
    # The C type's repr prints its type's name: "mmap.mmap", as without the subclass.
    full_name = f"{base.__module__}.{base.__name__}"
    setattr(module, name, type(full_name, (base,), namespace))


def mmap_target(obj: object) -> str:
    return _mmap_targets.get(id(obj), "")


def patch(module: Any) -> None:
    """Install the hooks of ``module`` (by its name in HOOKS)."""
    for attribute, how in HOOKS.get(module.__name__, ()):
        with contextlib.suppress(Exception):
            if how == INIT:
                wrap_class(getattr(module, attribute, None))
            elif how == TEXT:
                wrap_class(getattr(module, attribute, None), _record_text)
            elif how == TYPE:
                replace_type(module, attribute)
            else:
                wrap_function(module, attribute, _RECORDERS[how])
    if module.__name__ == "os":
        _wrap_close()
    elif module.__name__ == "builtins":
        import io

        io.open = module.open  # pathlib and others call io.open: the same wrapper
    elif module.__name__ == "sqlite3":
        dbapi2 = sys.modules.get("sqlite3.dbapi2")
        if dbapi2 is not None and getattr(dbapi2, "connect", None) is not module.connect:
            setattr(dbapi2, "connect", module.connect)  # noqa: B010 - a module's attribute


class PatchOnImport:
    """A meta path finder that patches the hooked modules right after they first run."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name not in HOOKS:
            return None
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None)
            if finder is self or find is None:
                continue
            spec = find(name, path, target)
            if spec is not None:
                break
        else:
            return None
        loader = spec.loader
        # Only a loader instance of its own (source and extension modules): never patch a
        # class shared by every module it loads (built-in and frozen modules).
        if loader is None or isinstance(loader, type) or not hasattr(loader, "exec_module"):
            return spec
        original = loader.exec_module

        def exec_module(module: Any) -> None:
            original(module)
            with contextlib.suppress(Exception):
                patch(module)

        loader.exec_module = exec_module
        return spec


def install() -> None:
    for name in HOOKS:
        module = sys.modules.get(name)
        if module is None and name in sys.builtin_module_names:
            with contextlib.suppress(ImportError):
                module = __import__(name)  # built in: costs nothing, and no finder sees it
        if module is not None:
            patch(module)
    sys.meta_path.insert(0, PatchOnImport())
