"""Runtime leak tracing inside one traced process (loaded by the injected ``sitecustomize``).

What it records, as JSON lines appended to ``$UNLEAK_TRACE_DIR/<pid>-<ns>.jsonl`` (one file
per process, written as things happen so a killed process still leaves what it saw):

- ``start``: the process (pid, parent, command line, interpreter, prefixes);
- ``leak``: a ``ResourceWarning`` (whether shown, or raised as an error and then reported as
  unraisable), another unraisable exception, and at exit the file descriptors still open,
  non-daemon threads still running, child processes not reaped and, with ``tracemalloc``,
  the places that hold the most memory; each with the stack where the object was created
  (``_unleak_hooks`` records it; ``tracemalloc``, when on, for the objects they miss);
- ``exit``: the process reached its normal exit.

Standard library only; every hook swallows its own errors so the program runs as without it.
Frames are ``[filename, line]`` or ``[filename, line, function]``, innermost first.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import json
import os
import re
import sys
import threading
import time
import tracemalloc
import warnings
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the bootstrap directory is on sys.path in the traced process
    from types import FrameType

    from unleak.trace.bootstrap import _unleak_hooks as hooks
    from unleak.trace.bootstrap import _unleak_sites as sites
else:
    import _unleak_hooks as hooks
    import _unleak_sites as sites

ENV_DIR = "UNLEAK_TRACE_DIR"
ENV_DEPTH = "UNLEAK_TRACE_DEPTH"  # tracemalloc frames; 0: tracemalloc off (the default)
ENV_ROOT = "UNLEAK_TRACE_ROOT"
ENV_MEMORY = "UNLEAK_TRACE_MEMORY_MIN"  # bytes a site must hold at exit to be reported

MAX_LEAKS = 5000  # per process: a leak in a hot loop must not fill the disk
MEMORY_SITES = 5
if TYPE_CHECKING:
    Frames = list[list[Any]]  # [filename, line] or [filename, line, function]

_os_open = os.open
_os_close = os.close
_os_write = os.write


class _State:
    def __init__(self) -> None:
        self.dir = ""
        self.memory_min = 256 * 1024
        self.path = ""
        self.pid = 0
        self.baseline: dict[int, str] = {}
        self.warned_pids: set[int] = set()  # children already reported by a ResourceWarning
        self.reported: list[object] = []  # reported at exit: later warnings about them are not new
        self.leaks = 0
        self.dropped = 0
        self.done = False
        self.local = threading.local()


_state = _State()


# --- writing records ------------------------------------------------------------------------


def _write(record: dict[str, Any]) -> None:
    if not _state.path:
        return
    data = (json.dumps(record, default=repr) + "\n").encode("utf-8", "replace")
    # Opened per record: survives fork, closerange() and daemonising code; O_APPEND keeps
    # each line whole.
    fd = _os_open(_state.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        _os_write(fd, data)
    finally:
        _os_close(fd)


def _leak(kind: str, message: str, alloc: Frames, at: Frames, **extra: Any) -> None:
    if _state.leaks >= MAX_LEAKS:
        _state.dropped += 1
        return
    _state.leaks += 1
    _write({"t": "leak", "kind": kind, "message": message, "alloc": alloc, "at": at, **extra})


def _guarded(func: Any) -> Any:
    """Run a hook at most once per thread at a time, and never let it raise."""

    def run(*args: Any) -> None:
        local = _state.local
        if getattr(local, "busy", False):
            return
        local.busy = True
        try:
            func(*args)
        except Exception:
            pass
        finally:
            local.busy = False

    run.__wrapped__ = func  # type: ignore[attr-defined]
    return run


# --- where objects were created --------------------------------------------------------------


def _traceback_frames(tb: Any) -> Frames:
    if tb is None:
        return []
    # Without this bootstrap's frames: an object allocated inside a wrapper belongs to its
    # caller.
    own = os.path.dirname(__file__)
    return [[f.filename, f.lineno] for f in reversed(list(tb)) if not f.filename.startswith(own)]


def _init_ranges(obj: object) -> list[tuple[str, int, int]]:
    ranges = []
    for cls in type(obj).__mro__:
        init = cls.__dict__.get("__init__")
        code = getattr(init, "__code__", None)
        if code is None:
            continue
        co_lines = getattr(code, "co_lines", None)
        if co_lines is None:
            continue
        lines = [line for _, _, line in co_lines() if line is not None]
        if lines:
            ranges.append((code.co_filename, min(lines), max(lines)))
    return ranges


def _object_frames(obj: object) -> Frames:
    """Where ``obj`` was created, innermost frame first; [] if nothing recorded it."""
    if obj is None:
        return []
    # A file wrapped by the program itself (io.TextIOWrapper(open(p, "rb"))) names its
    # wrapper in the warning; the file under it was recorded.
    part: object = obj
    for _ in range(3):
        frames = sites.frames_of(part)
        if frames:
            return frames
        part = getattr(part, "buffer", None) or getattr(part, "raw", None)
        if part is None:
            break
    if not tracemalloc.is_tracing():
        return []
    return _tracemalloc_frames(obj)


def _tracemalloc_frames(obj: object) -> Frames:
    tb = tracemalloc.get_object_traceback(obj)
    if tb is not None:
        return _traceback_frames(tb)
    # Python 3.11 cannot find instances whose dict is managed by the interpreter: use what
    # their __init__ allocated, without the frames of __init__ itself.
    try:
        attrs = object.__getattribute__(obj, "__dict__")
    except Exception:
        return []
    ranges = _init_ranges(obj)
    if not ranges:
        return []

    def in_init(frame: list[Any]) -> bool:
        return any(frame[0] == f and lo <= frame[1] <= hi for f, lo, hi in ranges)

    for value in list(attrs.values()):
        frames = _traceback_frames(tracemalloc.get_object_traceback(value))
        inner = 0
        while inner < len(frames) and not in_init(frames[inner]):
            inner += 1
        if inner == len(frames):
            continue  # allocated elsewhere and passed in: says nothing about obj
        while inner < len(frames) and in_init(frames[inner]):
            inner += 1
        if inner < len(frames):
            return frames[inner:]
    return []


# --- warnings and unraisable exceptions ------------------------------------------------------

_PID_RE = re.compile(r"^subprocess (\d+) is still running")


def _kind(text: str) -> str:
    if text.startswith("unclosed file"):
        return "file"
    if text.startswith("unclosed <socket") or text.startswith("unclosed <ssl"):
        return "socket"
    if text.startswith("unclosed database"):
        return "sqlite3"
    if text.startswith("subprocess "):
        return "subprocess"
    return "resource"


def _already_reported(source: object) -> bool:
    return _state.done and any(source is obj for obj in _state.reported)


def _resource_warning(text: str, source: object, at: Frames, via: str) -> None:
    if _already_reported(source):
        return
    match = _PID_RE.match(text)
    if match:
        _state.warned_pids.add(int(match.group(1)))
    alloc = _object_frames(source) if source is not None else _site_from_text(text)
    _leak(_kind(text), text, alloc, at, via=via)


_showwarnmsg_orig = warnings._showwarnmsg  # type: ignore[attr-defined]


@_guarded
def _on_warning(msg: Any) -> None:
    _state.local.pending = None  # shown: not ignored
    if isinstance(msg.category, type) and issubclass(msg.category, ResourceWarning):
        _resource_warning(str(msg.message), msg.source, [[msg.filename, msg.lineno]], "warning")


def _showwarnmsg(msg: Any) -> None:
    # Every warning that is shown comes through here, whoever replaced showwarning (pytest
    # records them with catch_warnings, which leaves this function in place).
    msg = _outside_wrappers(msg)
    _on_warning(msg)
    _showwarnmsg_orig(_without_own_frames(msg))


_BOOTSTRAP_DIR = os.path.dirname(os.path.abspath(__file__))


def _ours(filename: str) -> bool:
    return os.path.dirname(os.path.abspath(filename)) == _BOOTSTRAP_DIR


def _outside_wrappers(msg: Any) -> Any:
    """The message placed where Python places it without the tracer. A hook's wrapper is one
    more frame: a warning from the function or finalizer it wraps (``open(p, "rb",
    buffering=1)``, an unclosed ``SpooledTemporaryFile``) would name the wrapper's line;
    its caller's is the one the program shows untraced."""
    try:
        filename = msg.filename
        if not isinstance(filename, str) or not _ours(filename):
            return msg
        frame: FrameType | None = sys._getframe(1)
        while frame is not None and not (
            frame.f_code.co_filename == filename and frame.f_lineno == msg.lineno
        ):
            frame = frame.f_back
        if frame is None:
            return msg
        outer = frame.f_back
        while outer is not None and _ours(outer.f_code.co_filename):
            outer = outer.f_back
        # No Python caller (a finalizer run by the interpreter itself): Python says "sys".
        where = ("sys", 1) if outer is None else (outer.f_code.co_filename, outer.f_lineno)
        return warnings.WarningMessage(
            msg.message, msg.category, where[0], where[1], msg.file, msg.line, msg.source
        )
    except Exception:
        return msg


def _without_own_frames(msg: Any) -> Any:
    """The message without its source when tracemalloc places the allocation in one of this
    module's wrappers: Python would print "Object allocated at" our line, not the caller's."""
    source = getattr(msg, "source", None)
    if source is None:
        return msg
    try:
        tb = tracemalloc.get_object_traceback(source)
        if tb is None or tb[-1].filename != __file__:  # tb[-1]: the innermost frame
            return msg
        return warnings.WarningMessage(
            msg.message, msg.category, msg.filename, msg.lineno, msg.file, msg.line, None
        )
    except Exception:
        return msg


def _without_own_tracebacks(exc: BaseException | None, tb: Any) -> Any:
    """``tb`` and the tracebacks of the exceptions ``exc`` chains to, without this bootstrap's
    frames (an exception raised by a wrapped factory, ``open()`` of a missing file, passes
    through the wrapper): the program's traceback reads as it does untraced."""
    try:
        seen: set[int] = set()
        while exc is not None and id(exc) not in seen:
            seen.add(id(exc))
            exc.__traceback__ = _unlinked(exc.__traceback__)
            exc = exc.__cause__ or exc.__context__
        return _unlinked(tb)
    except Exception:
        return tb


def _unlinked(tb: Any) -> Any:
    while tb is not None and _ours(tb.tb_frame.f_code.co_filename):
        tb = tb.tb_next
    head = tb
    while tb is not None:
        after = tb.tb_next
        while after is not None and _ours(after.tb_frame.f_code.co_filename):
            after = after.tb_next
        tb.tb_next = after  # writable since Python 3.7
        tb = after
    return head


def _install_excepthooks() -> None:
    """Uncaught exceptions (of the program, of a thread) are printed without our frames."""
    original = sys.excepthook

    def excepthook(kind: Any, exc: Any, tb: Any) -> None:
        original(kind, exc, _without_own_tracebacks(exc, tb))

    sys.excepthook = excepthook
    thread_hook = getattr(threading, "excepthook", None)
    if thread_hook is None:
        return

    def thread_excepthook(args: Any) -> None:
        tb = _without_own_tracebacks(args.exc_value, args.exc_traceback)
        thread_hook(
            type(args)((args.exc_type, args.exc_value, tb, args.thread))  # type: ignore[misc]
        )

    threading.excepthook = thread_excepthook


@_guarded
def _on_unraisable(unraisable: Any) -> None:
    exc = unraisable.exc_value
    tb = unraisable.exc_traceback
    at: Frames = []
    selves: list[object] = [unraisable.object, sites.finalizing()]
    own = os.path.dirname(__file__)
    while tb is not None:
        frame = tb.tb_frame
        if not frame.f_code.co_filename.startswith(own):  # a wrapped __del__
            at.insert(0, [frame.f_code.co_filename, tb.tb_lineno, frame.f_code.co_name])
        if "self" in frame.f_code.co_varnames:
            selves.append(frame.f_locals.get("self"))
        tb = tb.tb_next
    if isinstance(exc, ResourceWarning):
        _state.local.pending = None  # raised: not ignored
        # A warning turned into an error (-W error, pytest's filterwarnings = error) in a
        # finalizer: the object is the resource, or ``self`` of the __del__ that warned.
        for obj in selves:
            if _object_frames(obj):
                _resource_warning(str(exc), obj, at, "unraisable")
                return
        _resource_warning(str(exc), None, at, "unraisable")
        return
    where = unraisable.err_msg or "Exception ignored in"
    text = f"{where}: {unraisable.object!r}: {type(exc).__name__}: {exc}"
    _leak("unraisable", text, at, at)


# --- ResourceWarnings that a filter ignores ----------------------------------------------------
#
# pytest's filterwarnings (or -W ignore::ResourceWarning) may hide them. The interpreter asks
# every filter's message pattern about every warning, in order, until one matches: an entry
# whose pattern never matches, kept first, sees each warning before any filter decides. If
# neither the display hook nor the unraisable hook then hears of it, it was ignored.

_RESOURCE_TEXT = re.compile(r"unclosed |subprocess \d+ is still running|Implicitly cleaning up")


class _Recorder:
    def match(self, text: object) -> None:
        local = _state.local
        if getattr(local, "busy", False):
            return None
        _flush_ignored()
        if isinstance(text, str) and _RESOURCE_TEXT.match(text):
            with contextlib.suppress(Exception):
                local.pending = (text, sites.stack(0), _site_from_text(text))
        return None  # never matches: the filters after it decide, as without it

    def __repr__(self) -> str:
        return "<unleak trace: records ResourceWarnings>"


_RECORDER_ENTRY = ("default", _Recorder(), Warning, None, 0)


@_guarded
def _flush_ignored() -> None:
    pending = getattr(_state.local, "pending", None)
    _state.local.pending = None
    if pending is not None:
        text, at, alloc = pending
        match = _PID_RE.match(text)
        if match:
            _state.warned_pids.add(int(match.group(1)))
        _leak(_kind(text), text, alloc, at, via="ignored")


def _site_from_text(text: str) -> Frames:
    """Where the object a warning is about was created, when the warning does not name the
    object (``warnings.warn(f"unclosed {self!r}")``, a filter that ignores it): the object
    whose ``__del__`` is running, or the object the text names."""
    finalizing = sites.finalizing()
    if finalizing is not None:
        frames = _object_frames(finalizing)
        if frames:
            return frames
    frames = sites.frames_of_text(text)
    if frames:
        return frames
    for address in re.findall(r"0x[0-9a-fA-F]+", text):
        frames = sites.frames_of_id(int(address, 16))
        if frames:
            return frames
    pid = _PID_RE.match(text)
    for obj, frames in sites.live():
        if pid is not None:
            if getattr(obj, "pid", None) == int(pid.group(1)):
                return frames
        elif type(obj).__name__ in _REPR_TYPES and text.endswith(repr(obj)):
            return frames
    return []


_REPR_TYPES = {
    "TextIOWrapper",
    "BufferedReader",
    "BufferedWriter",
    "BufferedRandom",
    "FileIO",
    "socket",
    "SSLSocket",
}


def _keep_recorder_first() -> None:
    filters: list[Any] = warnings.filters  # type: ignore[assignment]
    if filters and filters[0] is _RECORDER_ENTRY:
        return
    with contextlib.suppress(ValueError):
        filters.remove(_RECORDER_ENTRY)
    filters.insert(0, _RECORDER_ENTRY)
    mutated = getattr(warnings, "_filters_mutated", None)
    if mutated is not None:
        mutated()


def _install_recorder() -> None:
    add = getattr(warnings, "_add_filter", None)
    if add is None or not hasattr(warnings, "_filters_mutated"):
        return  # another warnings implementation: only shown and raised warnings are seen
    reset = warnings.resetwarnings

    def _add_filter(*item: Any, append: bool) -> None:
        add(*item, append=append)
        with contextlib.suppress(Exception):
            _keep_recorder_first()

    def resetwarnings() -> None:
        reset()
        with contextlib.suppress(Exception):
            _keep_recorder_first()

    resetwarnings.__doc__ = reset.__doc__
    warnings._add_filter = _add_filter  # type: ignore[attr-defined]
    warnings.resetwarnings = resetwarnings
    _keep_recorder_first()


def _audit(event: str, args: tuple[Any, ...]) -> None:
    # The event fires whichever hook is installed (pytest replaces sys.unraisablehook).
    if event == "sys.unraisablehook":
        _on_unraisable(args[1])


# --- descriptors opened without a Python object ----------------------------------------------


_readlink = hooks.readlink


def _open_fds() -> dict[int, str]:
    try:
        names = os.listdir("/proc/self/fd")
    except OSError:
        return {}
    fds = {}
    for name in names:
        target = _readlink(int(name))
        if target:  # the descriptor listdir used is closed by now
            fds[int(name)] = target
    return fds


# --- at exit ----------------------------------------------------------------------------------


def _instances(type_names: set[str]) -> list[object]:
    found = []
    for obj in gc.get_objects():
        try:
            if type(obj).__name__ in type_names:
                found.append(obj)
        except Exception:
            continue
    return found


def _fd_owners() -> dict[int, tuple[str, object]]:
    """Open Python objects that own descriptors: fd -> (kind, outermost object)."""
    import io

    socket_module = sys.modules.get("socket")
    owners: dict[int, tuple[int, str, object]] = {}
    for obj in gc.get_objects():
        try:
            if isinstance(obj, io.IOBase):
                kind, rank = "file", 1
                if isinstance(obj, io.TextIOBase):
                    rank = 3
                elif isinstance(obj, (io.BufferedIOBase,)):
                    rank = 2
                if obj.closed:
                    continue
            elif socket_module is not None and isinstance(obj, socket_module.socket):
                kind, rank = "socket", 3
            else:
                continue
            fd = obj.fileno()
        except Exception:
            continue
        if fd >= 0 and (fd not in owners or owners[fd][0] < rank):
            owners[fd] = (rank, kind, obj)
    # Other recorded resources with a descriptor of their own (selectors): the owner only
    # when no file or socket is.
    for obj, _ in sites.live():
        try:
            fileno = getattr(obj, "fileno", None)
            if fileno is None or isinstance(obj, io.IOBase) or getattr(obj, "closed", False):
                continue
            fd = fileno()
        except Exception:
            continue
        if isinstance(fd, int) and fd >= 0 and fd not in owners:
            owners[fd] = (0, "resource", obj)
    return {fd: (kind, obj) for fd, (_, kind, obj) in owners.items()}


def _mapped_files() -> dict[str, list[object]]:
    """Open memory maps by the file they map: each holds a duplicate of its descriptor."""
    found: dict[str, list[object]] = {}
    for obj, _ in sites.live():
        target = hooks.mmap_target(obj)
        if target and not getattr(obj, "closed", True):
            found.setdefault(target, []).append(obj)
    return found


def _noun(kind: str, obj: object) -> str:
    if kind != "resource":
        return kind
    name = type(obj).__name__
    if name.endswith("mmap"):
        return "memory map"
    return "selector" if name.endswith("Selector") else "resource"


def _describe(obj: object) -> str:
    try:
        return repr(obj)
    except Exception:
        return type(obj).__name__


# Packages whose objects own the descriptors they make (pools, queues, event loops, selectors);
# an unreleased owner shows up as its own warning, not as bare descriptors.
_SELF_MANAGED = (
    f"{os.sep}multiprocessing{os.sep}",
    f"{os.sep}asyncio{os.sep}",
    f"{os.sep}concurrent{os.sep}",
    f"{os.sep}selectors.py",
)


def _exit_fds() -> None:
    owners = _fd_owners()
    mapped = _mapped_files()
    sqlite_open = [c for c in _instances({"Connection"}) if _sqlite_open(c)]
    for fd, target in sorted(_open_fds().items()):
        if _state.baseline.get(fd) == target:
            continue
        if fd not in owners and mapped.get(target):
            owners[fd] = ("resource", mapped[target].pop())
        if fd in owners:
            kind, obj = owners[fd]
            _state.reported.append(obj)
            _leak(
                kind,
                f"{_noun(kind, obj)} still open at exit: {_describe(obj)}",
                _object_frames(obj),
                [],
                fd=fd,
                target=target,
            )
            continue
        site = sites.fd_site(fd)
        if site is not None and site[0] == target:
            if site[1] and any(part in site[1][0][0] for part in _SELF_MANAGED):
                continue  # a pool's or event loop's own pipe: its owner reports itself
            _leak(
                "fd",
                f"file descriptor {fd} ({target}) still open at exit",
                site[1],
                [],
                fd=fd,
                target=target,
            )
        elif not sqlite_open:  # a database's own descriptors are reported with it
            _leak(
                "fd",
                f"file descriptor {fd} ({target}) still open at exit",
                [],
                [],
                fd=fd,
                target=target,
            )
    for conn in sqlite_open:
        _state.reported.append(conn)
        _leak("sqlite3", f"unclosed database at exit: {_describe(conn)}", _object_frames(conn), [])


def _sqlite_open(obj: object) -> bool:
    module = sys.modules.get("sqlite3")
    if module is None or not isinstance(obj, module.Connection):
        return False
    try:
        obj.total_changes  # noqa: B018 - raises ProgrammingError once closed
    except module.ProgrammingError as exc:
        return "closed" not in str(exc)  # another thread's connection is still open
    except Exception:
        return False
    return True


def _proc_stat(pid: int) -> tuple[int, str] | None:
    """(parent pid, state letter) of a process, None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read().decode("ascii", "replace")
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return int(fields[1]), fields[0]


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode("utf-8", "replace").strip()
    except OSError:
        return ""


_HELPERS = (
    "multiprocessing.resource_tracker",
    "multiprocessing.forkserver",
    "multiprocessing.semaphore_tracker",
)


def _exit_children() -> None:
    me = os.getpid()
    known: set[int] = set(_state.warned_pids)
    subprocess_module = sys.modules.get("subprocess")
    if subprocess_module is not None:
        for popen in _instances({"Popen"}):
            if not isinstance(popen, subprocess_module.Popen):
                continue
            pid = getattr(popen, "pid", None)
            if not isinstance(pid, int) or getattr(popen, "returncode", 0) is not None:
                continue
            if pid in known:
                continue
            known.add(pid)
            stat = _proc_stat(pid)
            if stat is None or stat[0] != me:
                continue
            state = "exited, not waited for" if stat[1] == "Z" else "still running"
            _state.reported.append(popen)
            _leak(
                "subprocess",
                f"subprocess {pid} not reaped at exit ({state})",
                _object_frames(popen),
                [],
                child=pid,
            )
    try:
        pids = [int(name) for name in os.listdir("/proc") if name.isdigit()]
    except OSError:
        return
    for pid in pids:
        if pid in known:
            continue
        stat = _proc_stat(pid)
        if stat is None or stat[0] != me:
            continue
        cmd = _cmdline(pid)
        if any(helper in cmd for helper in _HELPERS):
            continue  # multiprocessing's own helpers outlive the program by design
        state = "exited, not waited for" if stat[1] == "Z" else "still running"
        _leak(
            "subprocess",
            f"child process {pid} not reaped at exit ({state}): {cmd}",
            sites.child_frames(pid),
            [],
            child=pid,
        )


def _raw_traces() -> list[Any]:
    """(domain, size, frames innermost first, ...) per live block.

    The private accessor hands out one tuple per distinct traceback, so blocks can be grouped
    by identity; a Snapshot would build objects for every frame of every block, which takes
    seconds under a test runner.
    """
    get = getattr(tracemalloc, "_get_traces", None)
    if get is not None:
        return list(get())
    snapshot = tracemalloc.take_snapshot()
    return [
        (t.domain, t.size, tuple((f.filename, f.lineno) for f in reversed(t.traceback)))
        for t in snapshot.traces
    ]


def _exit_memory() -> None:
    if not tracemalloc.is_tracing():
        return
    traces = _raw_traces()
    by_traceback: dict[int, list[Any]] = {}  # id(frames) -> [frames, size, blocks, largest]
    for trace in traces:
        frames, size = trace[2], trace[1]
        group = by_traceback.get(id(frames))
        if group is None:
            group = by_traceback[id(frames)] = [frames, 0, 0, 0]
        group[1] += size
        group[2] += 1
        group[3] = max(group[3], size)
    sites: dict[tuple[str, int], list[Any]] = {}  # first project frame -> [size, blocks, tb, max]
    project_cache: dict[str, bool] = {}
    for frames, size, blocks, largest in by_traceback.values():
        site_key = _project_line_cached(frames, project_cache)
        if site_key is None:
            continue
        site = sites.setdefault(site_key, [0, 0, frames, 0])
        site[0] += size
        site[1] += blocks
        if largest > site[3]:
            site[2], site[3] = frames, largest
    top = sorted(sites.values(), key=lambda site: -site[0])[:MEMORY_SITES]
    for size, blocks, frames, _ in top:
        if size < _state.memory_min:
            break
        _leak(
            "memory",
            f"{size} bytes in {blocks} blocks still allocated at exit",
            [[name, line] for name, line in frames],
            [],
            size=size,
            blocks=blocks,
        )


def _project_line_cached(frames: Any, cache: dict[str, bool]) -> tuple[str, int] | None:
    for name, line in frames:
        if name.startswith("<frozen importlib"):
            return None  # an import allocated it: module state, not a leak
        inside = cache.get(name)
        if inside is None:
            inside = cache[name] = name in sites.project
        if inside:
            return name, line
    return None


@_guarded
def _at_thread_exit() -> None:
    """Before the interpreter joins non-daemon threads: those still running."""
    main = threading.main_thread()
    for thread in threading.enumerate():
        if thread is main or thread.daemon or not thread.is_alive():
            continue
        _state.reported.append(thread)
        _leak(
            "thread",
            f"non-daemon thread {thread.name!r} still running at exit",
            _object_frames(thread),
            [],
            thread=thread.name,
        )


@_guarded
def _at_exit() -> None:
    if os.getpid() != _state.pid:
        return
    _flush_ignored.__wrapped__()  # type: ignore[attr-defined]
    for step in (_exit_fds, _exit_children, _exit_memory):
        try:
            step()
        except Exception as exc:
            _write({"t": "error", "message": f"{step.__name__}: {exc!r}"})
    _state.done = True
    _write({"t": "exit", "pid": _state.pid, "dropped": _state.dropped})


# --- setup ------------------------------------------------------------------------------------


def _argv() -> list[str]:
    try:
        with open("/proc/self/cmdline", "rb") as f:
            data = f.read()
        return [a.decode("utf-8", "replace") for a in data.split(b"\0")[:-1]]
    except OSError:
        return list(getattr(sys, "orig_argv", sys.argv))


def _begin() -> None:
    """Start this process's record (again after a fork: the child is a new process)."""
    _state.pid = os.getpid()
    _state.path = os.path.join(_state.dir, f"{_state.pid}-{time.time_ns()}.jsonl")
    _state.baseline = _open_fds()
    sites.forget_process_state()
    _state.warned_pids.clear()
    _state.reported.clear()
    _state.leaks = _state.dropped = 0
    _state.done = False
    _write(
        {
            "t": "start",
            "pid": _state.pid,
            "ppid": os.getppid(),
            "argv": _argv(),
            "cwd": os.getcwd(),
            "python": sys.version.split()[0],
            "executable": sys.executable,
            "prefixes": sorted({sys.prefix, sys.base_prefix, sys.exec_prefix}),
            "time": time.time(),
        }
    )


def _int_env(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, "") or default)
    except ValueError:
        return default


def install() -> None:
    directory = os.environ.get(ENV_DIR, "")
    if not directory or not os.path.isdir(directory):
        return  # not under unleak trace (or its run is over): stay out of the way
    if _state.dir:
        return  # once per process (an unleak trace inside another chains two bootstraps)
    _state.dir = directory
    sites.project.configure(
        os.environ.get(ENV_ROOT, ""),
        os.getcwd(),
        sorted({sys.prefix, sys.base_prefix, sys.exec_prefix}),
    )
    _state.memory_min = _int_env(ENV_MEMORY, _state.memory_min)
    # Off unless asked for (--memory): tracemalloc records a traceback for every allocation,
    # which slows a program several times over; the hooks place the resources.
    depth = _int_env(ENV_DEPTH, 0)
    if depth > 0 and not tracemalloc.is_tracing():
        tracemalloc.start(depth)
    # ResourceWarning is ignored by default; show every one, unless the command line chose.
    if not any("ResourceWarning" in option for option in sys.warnoptions):
        warnings.filterwarnings("always", category=ResourceWarning)
    _begin()
    warnings._showwarnmsg = _showwarnmsg  # type: ignore[attr-defined]
    _install_excepthooks()
    _install_recorder()
    if hasattr(sys, "addaudithook"):
        sys.addaudithook(_audit)
    hooks.install()
    register = getattr(threading, "_register_atexit", None)
    if register is not None:
        register(_at_thread_exit)
    atexit.register(_at_exit)
    # Runs first (atexit is last in, first out), outside the hooks' guard: garbage in
    # reference cycles (a connection and its cursors) is finalized and warns with its site,
    # instead of being reported as "open at exit".
    atexit.register(gc.collect)
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_guarded(_begin))
