"""Run one corpus scenario for real in this (fresh) process and report, as JSON, what it did
and what it leaked.

Usage (tests/fixes/test_fix_corpus.py runs it under Python 3.13)::

    python -X dev -W error::ResourceWarning probe.py SCENARIO.py --out REPORT.json \
        [--server line|pop3|http] [--script]

Builds on realrun/probe.py (its collectors, line server, descriptor and child listings) and
adds what the corpus needs:

- ``--script``: run the file as ``__main__`` (``sys.argv = [path, workdir, "host:port"]``, the
  working directory is ``workdir``); the result is what it printed. Otherwise the module is
  imported and ``run(workdir, server_addr)`` called; an ``async def run`` is awaited in a fresh
  event loop that then runs a few more iterations, so that closes which complete on the loop
  (transports, ``writer.close()``) settle before anything is counted;
- ``tasks``: asyncio tasks still pending once the loop settled (``asyncio.run`` would cancel
  them silently);
- ``finalized``: objects that release a descriptor, thread or file silently in ``__del__``
  (ZipFile, TarFile, GzipFile, BZ2File, LZMAFile, mmap, executors, selectors, shelves,
  ``logging.FileHandler``, ``NamedTemporaryFile``) and were finalised while still open, whether
  by reference counting or by the garbage collector (said so). ResourceWarning covers files,
  sockets, sqlite3, processes, pools, ``TemporaryDirectory`` and event loop transports;
- ``flocks``: files under the work directory that a second process cannot ``flock`` or
  ``lockf`` with ``LOCK_NB`` after the run;
- ``locks``: also multiprocessing locks and semaphores, also in a script's globals;
- threads started during the run get a short grace period to finish before being counted;
- the work directory in the result is replaced by ``<workdir>`` (it differs per run).
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import fcntl
import gc
import importlib.util
import io
import json
import os
import runpy
import socket
import sys
import tempfile
import threading
import time
import traceback
import types
import warnings
from collections.abc import Callable
from typing import Any

REALRUN_PROBE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "realrun")


def _realrun() -> Any:
    spec = importlib.util.spec_from_file_location(
        "unleak_realrun_probe", os.path.join(REALRUN_PROBE, "probe.py")
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


realrun = _realrun()
LOCALHOST = realrun.LOCALHOST
CO_COROUTINE = 0x80  # inspect.CO_COROUTINE, without importing inspect
THREAD_GRACE = 0.5  # seconds for threads that are finishing (shutdown(wait=False)) to end
SETTLE_ITERATIONS = 20  # event loop iterations after an async run() returns


# --- objects finalised while open ------------------------------------------------------------

finalized: list[str] = []
_collecting = [False]


def _gc_phase(phase: str, info: dict[str, Any]) -> None:
    _collecting[0] = phase == "start"


def _describe(obj: Any) -> str:
    for attr in ("filename", "name", "_name"):
        value = getattr(obj, attr, None)
        if isinstance(value, str) and value:
            return f"{type(obj).__name__}({os.path.basename(value)!r})"
    return type(obj).__name__


def _hook(cls: type, is_open: Callable[[Any], bool], label: str | None = None) -> None:
    """Make `cls.__del__` record instances that are finalised while `is_open`."""
    inherited = getattr(cls, "__del__", None)

    def __del__(self: Any) -> None:
        try:
            still_open = is_open(self)
        except Exception:  # half-initialised (the constructor raised)
            still_open = False
        if still_open:
            how = "by the garbage collector" if _collecting[0] else "when dropped"
            what = label or _describe(self)
            finalized.append(f"{what} closed only by its finalizer ({how})")
        if inherited is not None:
            inherited(self)

    cls.__del__ = __del__  # type: ignore[attr-defined]


def _install_finalizer_hooks() -> None:
    import bz2
    import concurrent.futures
    import gzip
    import logging
    import lzma
    import mmap
    import selectors
    import shelve
    import tarfile
    import zipfile

    def not_closed(obj: Any) -> bool:
        return not obj.closed

    _hook(zipfile.ZipFile, lambda z: z.fp is not None)
    _hook(tarfile.TarFile, not_closed)
    for cls in (gzip.GzipFile, bz2.BZ2File, lzma.LZMAFile):
        _hook(cls, not_closed)
    _hook(concurrent.futures.ThreadPoolExecutor, lambda e: not e._shutdown)
    _hook(concurrent.futures.ProcessPoolExecutor, lambda e: not e._shutdown_thread)
    _hook(selectors._BaseSelectorImpl, lambda s: s._map is not None)  # type: ignore[attr-defined]
    _hook(shelve.Shelf, lambda s: not isinstance(s.dict, shelve._ClosedDict))  # type: ignore[attr-defined]
    _hook(logging.FileHandler, lambda h: h.stream is not None)
    # NamedTemporaryFile closes (and deletes) its file in __del__ without a warning.
    _hook(tempfile._TemporaryFileCloser, lambda c: not c.close_called, "NamedTemporaryFile")  # type: ignore[attr-defined]

    # mmap.mmap is a C type whose __del__ cannot be replaced: scenarios get a subclass.
    class mmap_(mmap.mmap):
        pass

    mmap_.__name__ = mmap_.__qualname__ = "mmap"
    _hook(mmap_, not_closed)
    mmap.mmap = mmap_  # type: ignore[misc]


# --- servers on 127.0.0.1 --------------------------------------------------------------------

MAILBOX = {"user": "ada", "password": "lovelace", "messages": ["Subject: hi\r\n\r\nhello", "x"]}


class Pop3Server(realrun.LineServer):  # type: ignore[misc, name-defined]
    """Just enough POP3 for poplib: USER, PASS, STAT, LIST, RETR, NOOP, QUIT."""

    @staticmethod
    def _answer(conn: socket.socket) -> None:
        reader = conn.makefile("rb")
        try:
            conn.sendall(b"+OK corpus POP3 ready\r\n")
            user = None
            while line := reader.readline():
                verb, _, arg = line.decode().strip().partition(" ")
                verb = verb.upper()
                messages = MAILBOX["messages"]
                if verb == "USER":
                    user = arg
                    conn.sendall(b"+OK\r\n")
                elif verb == "PASS":
                    ok = user == MAILBOX["user"] and arg == MAILBOX["password"]
                    conn.sendall(b"+OK logged in\r\n" if ok else b"-ERR invalid password\r\n")
                elif verb == "STAT":
                    size = sum(len(m) for m in messages)
                    conn.sendall(f"+OK {len(messages)} {size}\r\n".encode())
                elif verb == "RETR" and arg.isdigit() and 0 < int(arg) <= len(messages):
                    body = messages[int(arg) - 1].encode()
                    conn.sendall(b"+OK\r\n" + body + b"\r\n.\r\n")
                elif verb == "NOOP":
                    conn.sendall(b"+OK\r\n")
                elif verb == "QUIT":
                    conn.sendall(b"+OK bye\r\n")
                    return
                else:
                    conn.sendall(b"-ERR no such message\r\n")
        finally:
            reader.close()


class HttpServer:
    """GET /items/KEY answers the line server's table as JSON; anything else is a 404.
    One connection at a time, kept alive until the client closes it (or 5 s pass)."""

    def __init__(self) -> None:
        import http.server  # only the scenarios that need it pay for the import

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive: the client must close its connection
            timeout = 5

            def do_GET(self) -> None:
                key = self.path.removeprefix("/items/")
                if key in realrun.SERVER_TABLE:
                    status = 200
                    body = json.dumps({"key": key, "value": realrun.SERVER_TABLE[key]})
                else:
                    status, body = 404, json.dumps({"error": f"no item {key}"})
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = http.server.HTTPServer((LOCALHOST, 0), Handler)
        self.address = self.server.server_address[:2]
        self.thread = threading.Thread(
            target=self.server.serve_forever, args=(0.05,), name="probe-http", daemon=True
        )
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)
        self.server.server_close()


SERVERS: dict[str, Callable[[], Any]] = {
    "line": realrun.LineServer,
    "pop3": Pop3Server,
    "http": HttpServer,
}


# --- locks and flocks ------------------------------------------------------------------------


def _is_lock(value: Any) -> bool:
    module = type(value).__module__
    lock_modules = ("_thread", "threading", "multiprocessing.synchronize")
    return module in lock_modules and hasattr(value, "acquire")


def _acquirable_elsewhere(lock: Any) -> bool:
    taken: list[bool] = []

    def attempt() -> None:
        ok = lock.acquire(False)  # positional: multiprocessing calls it `block`
        if ok:
            lock.release()
        taken.append(ok)

    thread = threading.Thread(target=attempt, name="probe-lock-check")
    thread.start()
    thread.join(timeout=10)
    return bool(taken and taken[0])


def held_locks(namespace: dict[str, Any], module_name: str) -> list[str]:
    """Lock-like objects in `namespace`, one attribute deep, that another thread cannot take."""
    seen: set[int] = set()
    held: list[str] = []

    def candidates() -> Any:
        for name, value in list(namespace.items()):
            yield name, value
            if isinstance(value, type):
                look = value.__module__ == module_name  # classes the scenario defines
            else:
                look = not callable(value) and not isinstance(value, types.ModuleType)
            if look and hasattr(value, "__dict__"):
                for attr, inner in list(vars(value).items()):
                    yield f"{name}.{attr}", inner

    for name, value in candidates():
        if id(value) in seen or not _is_lock(value):
            continue
        seen.add(id(value))
        if not _acquirable_elsewhere(value):
            held.append(name)
    return held


def _locked_elsewhere(paths: list[str]) -> list[str]:
    """In a forked child: the paths it cannot flock or lockf without blocking."""
    held = []
    for path in paths:
        try:
            fd = os.open(path, os.O_RDWR)
        except OSError:
            continue
        for name, lock in (("flock", fcntl.flock), ("lockf", fcntl.lockf)):
            try:
                lock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    held.append(f"{name} {path}")
        os.close(fd)
    return held


def held_flocks(workdir: str) -> list[str]:
    """Files under `workdir` that a second process cannot lock (flock or lockf) right now."""
    paths = [os.path.join(d, f) for d, _, files in os.walk(workdir) for f in files]
    if not paths:
        return []
    r, w = os.pipe()
    try:
        with warnings.catch_warnings():  # "multi-threaded, fork() may deadlock": the child
            warnings.simplefilter("ignore", DeprecationWarning)  # only makes system calls
            pid = os.fork()
    except BaseException:  # no child: nobody else will close the pipe
        os.close(r)
        os.close(w)
        raise
    if pid == 0:
        try:
            os.write(w, "\n".join(_locked_elsewhere(paths)).encode())
        finally:
            os._exit(0)
    os.close(w)
    with os.fdopen(r, "rb") as pipe:
        out = pipe.read().decode()
    os.waitpid(pid, 0)
    return sorted(line.replace(workdir, "<workdir>") for line in out.splitlines())


# --- the run ---------------------------------------------------------------------------------


def settle_threads(before: set[threading.Thread]) -> None:
    deadline = time.monotonic() + THREAD_GRACE
    for thread in threading.enumerate():
        if thread not in before and thread is not threading.current_thread():
            thread.join(timeout=max(0.0, deadline - time.monotonic()))


def _run_async(entry: Callable[..., Any], args: tuple[Any, ...], pending: list[str]) -> Any:
    import asyncio  # only the async scenarios pay for the import

    async def settled() -> Any:
        value = await entry(*args)
        for _ in range(SETTLE_ITERATIONS):
            await asyncio.sleep(0)
        me = asyncio.current_task()
        for task in asyncio.all_tasks():
            if task is not me and not task.done():
                coro = task.get_coro()
                pending.append(getattr(coro, "__qualname__", repr(coro)))
        return value

    return asyncio.run(settled())


def _result(value: Any, workdir: str) -> Any:
    text = json.dumps(value, default=repr, sort_keys=True).replace(workdir, "<workdir>")
    return json.loads(text)


def probe(path: str, server_kind: str | None, script: bool) -> dict[str, Any]:
    realrun._install_collectors()
    _install_finalizer_hooks()
    gc.callbacks.append(_gc_phase)
    report: dict[str, Any] = {"python": sys.version.split()[0], "tasks": []}
    server = SERVERS[server_kind]() if server_kind else None
    address = tuple(server.address) if server else None
    module: Any = None
    namespace: dict[str, Any] = {}
    stdout = io.StringIO()
    cwd = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="unleak-corpus-") as workdir:
        try:
            if not script:
                module = realrun.load(path)
                namespace = vars(module)
        except BaseException as exc:
            report["result"] = {"raised": f"{type(exc).__name__}: {exc}", "at": "import"}
            report["traceback"] = traceback.format_exc()
            del exc
        gc.collect()
        fds_before = realrun.open_fds()
        threads_before = set(threading.enumerate())
        children_before = realrun.children()
        if "result" not in report:
            try:
                with contextlib.redirect_stdout(stdout):
                    if script:
                        os.chdir(workdir)
                        server_arg = [f"{address[0]}:{address[1]}"] if address else []
                        sys.argv = [path, workdir, *server_arg]
                        namespace = runpy.run_path(path, run_name="__main__")
                        value = None
                    elif module.run.__code__.co_flags & CO_COROUTINE:
                        args = (workdir, address)
                        value = _run_async(module.run, args, report["tasks"])
                    else:
                        value = module.run(workdir, address)
                report["result"] = {"value": _result(value, workdir)}
            except BaseException as exc:  # reported, not propagated
                message = f"{type(exc).__name__}: {exc}".replace(workdir, "<workdir>")
                report["result"] = {"raised": message}
                report["traceback"] = traceback.format_exc()
                del exc
            finally:
                os.chdir(cwd)
            report["result"]["stdout"] = stdout.getvalue().replace(workdir, "<workdir>")
        settle_threads(threads_before)
        gc.collect()
        report["locks"] = held_locks(namespace, getattr(module, "__name__", "__main__"))
        leaked_children = {
            pid: state for pid, state in realrun.children().items() if pid not in children_before
        }
        report["flocks"] = held_flocks(workdir)
        # A script has ended now: what it left in its globals is finalised, as at exit.
        if script:
            namespace.clear()
            gc.collect()
            gc.collect()
        del namespace, module
        if server is not None:
            server.stop()
        fds_after = realrun.open_fds()
        report["fds"] = sorted(
            f"{fd} -> {target}".replace(workdir, "<workdir>")
            for fd, target in fds_after.items()
            if fds_before.get(fd) != target
        )
        report["threads"] = sorted(
            t.name for t in threading.enumerate() if t not in threads_before and t.is_alive()
        )
        report["children"] = sorted(f"{pid} ({state})" for pid, state in leaked_children.items())
        realrun.reap(list(leaked_children))
    warned = realrun.resource_warnings
    report["resource_warnings"] = [w.replace(workdir, "<workdir>") for w in warned]
    report["asyncio_errors"] = list(realrun.asyncio_errors)
    report["unraisable"] = list(realrun.unraisable)
    report["finalized"] = list(finalized)
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("module")
    parser.add_argument("--out", required=True)
    parser.add_argument("--server", choices=sorted(SERVERS), help="serve on 127.0.0.1")
    parser.add_argument("--script", action="store_true", help="run the file as __main__")
    args = parser.parse_args()
    report = probe(os.path.abspath(args.module), args.server, args.script)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(report, f, indent=2, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
