"""Run one scenario module for real and report, as JSON, what it returned and what it leaked.

Usage (the test runs it with the interpreter under test)::

    python -X dev -W error::ResourceWarning probe.py MODULE.py --out REPORT.json [--server]

The probe imports MODULE.py from its path, calls ``run(workdir, server_addr)`` in a fresh
temporary directory, collects garbage, and reports:

- ``result``: ``{"value": ...}`` (the JSON-serialisable return value) or ``{"raised": ...}``;
- ``resource_warnings``: ResourceWarning messages. Under ``-W error::ResourceWarning`` the
  warnings that finalizers emit become unraisable exceptions and are caught by
  ``sys.unraisablehook``; under ``-W always`` they are caught through ``warnings``;
- ``asyncio_errors``: ERROR records of the ``asyncio`` logger ("Task was destroyed but it is
  pending!");
- ``unraisable``: other unraisable exceptions;
- ``fds``: descriptors opened during the run and still open (``/proc/self/fd``);
- ``threads``: threads started during the run and still alive;
- ``children``: child processes not reaped (``/proc/*/stat`` whose parent is this process;
  zombies included), killed and reaped by the probe afterwards;
- ``locks``: locks and semaphores reachable from the module that another thread cannot take.

Python 3.13 warns about unclosed sqlite3 connections; on older interpreters the probe makes
``sqlite3.connect`` return a ``Connection`` subclass whose ``__del__`` emits the same warning, so
that the same leak is visible on both.

Everything stays local: the optional server listens on 127.0.0.1 only, every socket operation
and join has a timeout, and the temporary directory is removed.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib.util
import json
import logging
import os
import signal
import socket
import sqlite3
import sys
import tempfile
import threading
import time
import traceback
import types
import warnings
from typing import Any

LOCALHOST = "127.0.0.1"
SERVER_TABLE = {"alpha": "1", "beta": "2", "gamma": "3"}


# --- what is collected -----------------------------------------------------------------------

resource_warnings: list[str] = []
unraisable: list[str] = []
asyncio_errors: list[str] = []


def _unraisable_hook(args: Any) -> None:
    exc = args.exc_value
    if isinstance(exc, ResourceWarning):
        resource_warnings.append(str(exc))
    else:
        unraisable.append(f"{type(exc).__name__}: {exc} ({args.err_msg or ''} {args.object!r})")


def _showwarning(message, category, filename, lineno, file=None, line=None):  # type: ignore[no-untyped-def]
    if issubclass(category, ResourceWarning):
        resource_warnings.append(str(message))
    else:
        _original_showwarning(message, category, filename, lineno, file, line)


_original_showwarning = warnings.showwarning


class _AsyncioErrors(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR:
            asyncio_errors.append(record.getMessage().splitlines()[0])


def _install_collectors() -> None:
    sys.unraisablehook = _unraisable_hook
    warnings.showwarning = _showwarning
    logger = logging.getLogger("asyncio")
    logger.addHandler(_AsyncioErrors())
    logger.propagate = False


# --- sqlite3 before 3.13 ---------------------------------------------------------------------


class _WarningConnection(sqlite3.Connection):
    """Warns like Python 3.13 does when a connection is finalised without ``close()``."""

    def __del__(self) -> None:
        try:
            self.total_changes  # noqa: B018 - raises ProgrammingError once closed
        except sqlite3.ProgrammingError:
            return
        warnings.warn(f"unclosed database in {self!r}", ResourceWarning, stacklevel=1)


def _emulate_sqlite_warning() -> None:
    original = sqlite3.connect

    def connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        kwargs.setdefault("factory", _WarningConnection)
        return original(*args, **kwargs)

    sqlite3.connect = connect  # type: ignore[assignment]


# --- a line server on 127.0.0.1 --------------------------------------------------------------


class LineServer:
    """Answers ``GET key`` with ``OK value`` or ``ERR missing``, one request per connection."""

    def __init__(self) -> None:
        self.listener = socket.create_server((LOCALHOST, 0))
        self.listener.settimeout(0.05)
        self.address = self.listener.getsockname()[:2]
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._serve, name="probe-server", daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop_event.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(5)
                with contextlib.suppress(OSError):
                    self._answer(conn)

    @staticmethod
    def _answer(conn: socket.socket) -> None:
        request = b""
        while not request.endswith(b"\n"):
            chunk = conn.recv(1024)
            if not chunk:
                return
            request += chunk
        verb, _, key = request.decode().strip().partition(" ")
        if verb == "GET" and key in SERVER_TABLE:
            conn.sendall(f"OK {SERVER_TABLE[key]}\n".encode())
        else:
            conn.sendall(b"ERR missing\n")

    def stop(self) -> None:
        self.stop_event.set()
        self.thread.join(timeout=10)
        self.listener.close()


# --- process state ---------------------------------------------------------------------------


def open_fds() -> dict[int, str]:
    fds: dict[int, str] = {}
    for name in os.listdir("/proc/self/fd"):
        try:
            fds[int(name)] = os.readlink(f"/proc/self/fd/{name}")
        except OSError:  # the descriptor listdir itself used, closed by now
            continue
    return fds


def children() -> dict[int, str]:
    """Child processes of this process and their state letter (``Z`` = zombie)."""
    me = os.getpid()
    found: dict[int, str] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", encoding="ascii", errors="replace") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == me:
            found[int(name)] = fields[0]
    return found


def held_locks(module: Any) -> list[str]:
    """Names of lock-like objects reachable from the module that another thread cannot take."""
    seen: set[int] = set()
    held: list[str] = []

    def candidates() -> Any:
        for name, value in vars(module).items():
            yield name, value
            if isinstance(value, type):
                inspect = value.__module__ == module.__name__  # classes defined there
            else:
                inspect = not callable(value) and not isinstance(value, types.ModuleType)
            if inspect and hasattr(value, "__dict__"):
                for attr, inner in vars(value).items():
                    yield f"{name}.{attr}", inner

    for name, value in candidates():
        if id(value) in seen or not _is_lock(value):
            continue
        seen.add(id(value))
        if not _acquirable_elsewhere(value):
            held.append(name)
    return held


def _is_lock(value: Any) -> bool:
    return type(value).__module__ in ("_thread", "threading") and hasattr(value, "acquire")


def _acquirable_elsewhere(lock: Any) -> bool:
    taken: list[bool] = []

    def attempt() -> None:
        ok = lock.acquire(blocking=False)
        if ok:
            lock.release()
        taken.append(ok)

    thread = threading.Thread(target=attempt, name="probe-lock-check")
    thread.start()
    thread.join(timeout=10)
    return bool(taken and taken[0])


def reap(pids: list[int]) -> None:
    for pid in pids:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    for pid in pids:
        while time.monotonic() < deadline:
            try:
                done, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                break
            if done:
                break
            time.sleep(0.01)


# --- the run ---------------------------------------------------------------------------------


def load(path: str) -> Any:
    name = "scenario_" + os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None, path
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def probe(path: str, with_server: bool) -> dict[str, Any]:
    _install_collectors()
    if sys.version_info < (3, 13):
        _emulate_sqlite_warning()
    module = load(path)
    server = LineServer() if with_server else None
    try:
        return _observe(module, server)
    finally:
        if server is not None:
            server.stop()  # already stopped, unless the run failed: stopping again is harmless


def _observe(module: Any, server: LineServer | None) -> dict[str, Any]:
    """Run the scenario and collect what it leaked (the server stops before fds are read)."""
    report: dict[str, Any] = {"python": sys.version.split()[0]}
    with tempfile.TemporaryDirectory(prefix="unleak-realrun-") as workdir:
        gc.collect()
        fds_before = open_fds()
        threads_before = set(threading.enumerate())
        children_before = children()
        try:
            value = module.run(workdir, server.address if server else None)
            report["result"] = {"value": json.loads(json.dumps(value))}
        except BaseException as exc:  # reported, not propagated
            report["result"] = {"raised": f"{type(exc).__name__}: {exc}"}
            report["traceback"] = traceback.format_exc()
            del exc
        gc.collect()
        gc.collect()
        report["locks"] = held_locks(module)
        if server is not None:
            server.stop()
        gc.collect()
        leaked_children = {
            pid: state for pid, state in children().items() if pid not in children_before
        }
        fds_after = open_fds()
        report["fds"] = sorted(
            f"{fd} -> {target}"
            for fd, target in fds_after.items()
            if fds_before.get(fd) != target
        )
        report["threads"] = sorted(
            t.name for t in threading.enumerate() if t not in threads_before and t.is_alive()
        )
        report["children"] = sorted(f"{pid} ({state})" for pid, state in leaked_children.items())
        reap(list(leaked_children))
    report["resource_warnings"] = list(resource_warnings)
    report["asyncio_errors"] = list(asyncio_errors)
    report["unraisable"] = list(unraisable)
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("module")
    parser.add_argument("--out", required=True)
    parser.add_argument("--server", action="store_true", help="serve on 127.0.0.1")
    args = parser.parse_args()
    report = probe(os.path.abspath(args.module), args.server)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(report, f, indent=2, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
