"""Helpers for running fixture functions and observing the leaks their findings predict.

Everything stays on this machine: temporary files under pytest's tmp_path, sockets bound to
127.0.0.1 only, sqlite3 databases in tmp_path, and child processes that run sys.executable.
"""

from __future__ import annotations

import contextlib
import gc
import importlib.util
import os
import socket
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "rules"
LOCALHOST = "127.0.0.1"

_loaded: dict[tuple[str, str], ModuleType] = {}


def _load(code: str, name: str) -> ModuleType:
    key = (code, name)
    if key not in _loaded:
        path = FIXTURES / code / f"{name}.py"
        module_name = f"_unleak_fixture_{code}_{name}"
        spec = importlib.util.spec_from_file_location(module_name, path)
        assert spec is not None and spec.loader is not None, path
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
        _loaded[key] = module
    return _loaded[key]


@pytest.fixture
def load_fixture() -> Callable[[str, str], ModuleType]:
    """``load_fixture("UL101", "files")`` imports tests/fixtures/rules/UL101/files.py by path."""
    return _load


# --- ResourceWarning -------------------------------------------------------------------------


@contextlib.contextmanager
def _resource_warnings() -> Iterator[list[str]]:
    gc.collect()  # garbage of earlier tests must not be blamed on this block
    messages: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        try:
            yield messages
        finally:
            gc.collect()
            gc.collect()
            messages.extend(
                str(w.message) for w in caught if issubclass(w.category, ResourceWarning)
            )


@pytest.fixture
def resource_warnings() -> Callable[[], contextlib.AbstractContextManager[list[str]]]:
    """``with resource_warnings() as found:`` collects ResourceWarning messages (after gc)."""
    return _resource_warnings


# --- file descriptors ------------------------------------------------------------------------


def open_fds() -> dict[int, str]:
    """Open descriptors of this process and what they point to."""
    fds: dict[int, str] = {}
    for name in os.listdir("/proc/self/fd"):
        try:
            fds[int(name)] = os.readlink(f"/proc/self/fd/{name}")
        except OSError:  # the descriptor listdir itself used, closed by now
            continue
    return fds


class FdTracker:
    def __init__(self) -> None:
        self.before = open_fds()
        self._closed: set[int] = set()

    def leaked(self) -> dict[int, str]:
        """Descriptors opened since the tracker was created and still open."""
        return {fd: target for fd, target in open_fds().items() if self.before.get(fd) != target}

    def leaked_to(self, predicate: Callable[[str], bool]) -> list[int]:
        return sorted(fd for fd, target in self.leaked().items() if predicate(target))

    def close(self, fds: list[int]) -> None:
        """Close descriptors the code under test leaked (and that no Python object owns)."""
        for fd in fds:
            with contextlib.suppress(OSError):
                os.close(fd)


@pytest.fixture
def fds() -> FdTracker:
    gc.collect()
    return FdTracker()


# --- objects created by a factory ------------------------------------------------------------


@pytest.fixture
def record_calls(monkeypatch: pytest.MonkeyPatch) -> Callable[[Any, str], list[Any]]:
    """``created = record_calls(sqlite3, "connect")``: keep every object the factory returns.

    Holding a strong reference stops CPython's reference counting from quietly releasing what
    the code under test dropped, so the test can look at the object after the call.
    """

    def patch(owner: Any, attr: str) -> list[Any]:
        created: list[Any] = []
        original = getattr(owner, attr)

        def recording(*args: Any, **kwargs: Any) -> Any:
            obj = original(*args, **kwargs)
            created.append(obj)
            return obj

        monkeypatch.setattr(owner, attr, recording)
        return created

    return patch


# --- child processes -------------------------------------------------------------------------


def process_state(pid: int) -> str | None:
    """The one-letter state of a process from /proc (``Z`` = zombie), None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            stat = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return stat.rsplit(")", 1)[1].split()[0]


def wait_for_state(pid: int, state: str, timeout: float = 10.0) -> str | None:
    deadline = time.monotonic() + timeout
    current = process_state(pid)
    while current != state and time.monotonic() < deadline:
        time.sleep(0.02)
        current = process_state(pid)
    return current


class ProcessStates:
    state = staticmethod(process_state)
    wait_for = staticmethod(wait_for_state)


@pytest.fixture
def proc_state() -> ProcessStates:
    """``proc_state.state(pid)`` / ``proc_state.wait_for(pid, "Z")``."""
    return ProcessStates()


@pytest.fixture
def reap() -> Iterator[Callable[[Any], None]]:
    """``reap(proc)``: kill and wait for a Popen the code under test left behind, at teardown."""
    procs: list[Any] = []
    yield procs.append
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()


# --- sockets on 127.0.0.1 --------------------------------------------------------------------


@pytest.fixture
def banner_server() -> Iterator[tuple[str, int]]:
    """A TCP server on 127.0.0.1 that greets each client with one line, then echoes one read."""
    with socket.create_server((LOCALHOST, 0)) as server:
        server.settimeout(0.1)
        stop = threading.Event()

        def serve() -> None:
            while not stop.is_set():
                try:
                    conn, _ = server.accept()
                except TimeoutError:
                    continue
                except OSError:
                    return
                with conn:
                    conn.settimeout(2)
                    with contextlib.suppress(OSError):
                        conn.sendall(b"HELLO unleak\r\n")
                        data = conn.recv(1024)
                        if data:
                            conn.sendall(b"OK " + data)

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        try:
            yield server.getsockname()[:2]
        finally:
            stop.set()
            thread.join(timeout=5)


@pytest.fixture
def refused_port() -> int:
    """A port on 127.0.0.1 nobody listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind((LOCALHOST, 0))
        return int(s.getsockname()[1])
