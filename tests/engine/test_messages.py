"""Messages in plain words (issue 14, item 7): each says what leaks (the file `f` opened by
`open(path)`), which path loses it (if `sock.connect(addr)` on line 5 raises), and what to
do; related notes say what happens at their line; nothing uses the analysis's own words."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
from unleak.findings.model import Finding
from unleak.pipeline.api import check_source
from unleak.settings import Settings

FIXTURES = Path(__file__).parent.parent / "fixtures" / "rules"

# Words of the engine that mean nothing to a reader of a message.
INTERNAL = (
    "site",
    "sink",
    "escape",
    "escapes",
    "rebound",
    "callee",
    "node",
    "cfg",
    "effect",
    "effects",
    "nonrel",
    "via",
    "unit",
    "summary",
    "ownership",
    "dataflow",
    "lattice",
    "None",
    "acquisition",
)


def findings(source: str) -> list[Finding]:
    text = textwrap.dedent(source)
    return sorted(check_source(text, "m.py", Settings()), key=Finding.sort_key)


CASES = [
    (
        """\
        def read_config(path):
            f = open(path)
            first = f.readline()
            if first:
                return {}
            f.close()
        """,
        "UL101",
        "The file `f` opened by `open(path)` is not closed when the function returns at "
        "line 5; use `with`",
        ["the file is opened here", "the function returns here with the file still open"],
    ),
    (
        """\
        import socket
        def send(addr, data):
            sock = socket.socket()
            sock.connect(addr)
            sock.sendall(data)
            sock.close()
        """,
        "UL102",
        "The socket `sock` created by `socket.socket()` is not closed if `sock.connect(addr)` "
        "on line 4 raises; use `with` or `try`/`finally`",
        ["the socket is created here", "if `sock.connect(addr)` raises, the socket is still open"],
    ),
    (
        """\
        def size(p):
            return len(open(p).read())
        """,
        "UL101",
        "The file opened by `open(p)` is never closed: it is not kept in a variable; use `with`",
        ["the file is opened here"],
    ),
    (
        """\
        import sqlite3
        def db(path):
            with sqlite3.connect(path) as conn:
                return conn.execute("select 1").fetchone()
        """,
        "UL103",
        "The sqlite3 connection `conn` opened by `sqlite3.connect(path)` is not closed when "
        "the function returns at line 4: `with` only ends the transaction; use "
        "`contextlib.closing()`",
        [
            "the sqlite3 connection is opened here",
            "the function returns here with the sqlite3 connection still open",
        ],
    ),
    (
        """\
        def fin(p):
            try:
                f = open(p)
                return f.read()
            finally:
                f.close()
        """,
        "UL104",
        "If `open(p)` raises, `f` is never assigned and the `finally` on line 6 fails with "
        "UnboundLocalError; assign `f` before `try`",
        ["`f` has no value here if `open(p)` raised"],
    ),
    (
        """\
        import threading
        class C:
            def __init__(self):
                self._lock = threading.Lock()
            def work(self):
                self._lock.acquire()
                self.flush()
                self._lock.release()
        """,
        "UL105",
        "The lock `self._lock` is not released if `self.flush()` on line 7 raises; "
        "use `with self._lock:`",
        ["`self._lock` is acquired here", "if `self.flush()` raises, the lock is still held"],
    ),
    (
        """\
        import os
        def fd(path):
            fd = os.open(path, os.O_RDONLY)
            os.read(fd, 10)
            os.close(fd)
        """,
        "UL102",
        "The file descriptor `fd` opened by `os.open(path, os.O_RDONLY)` is not closed if "
        "`os.read(fd, 10)` on line 4 raises; call `os.close(fd)` in a `finally` block",
        [
            "the file descriptor is opened here",
            "if `os.read(fd, 10)` raises, the file descriptor is still open",
        ],
    ),
    # A line without a call raises from its subscript: named, not "line 5 raises".
    (
        """\
        import shelve

        def lookup(path, key):
            db = shelve.open(path)
            value = db[key]
            db.close()
            return value
        """,
        "UL102",
        "The shelf `db` opened by `shelve.open(path)` is not closed if `db[key]` on line 5 "
        "raises; use `with` or `try`/`finally`",
        [
            "the shelf is opened here",
            "if `db[key]` raises, the shelf is still open",
        ],
    ),
    # A long item read names the call in it.
    (
        """\
        import select
        import subprocess

        def relay(cmd, stream):
            proc = subprocess.Popen(cmd)
            while select.select([stream], [], [], 0.5)[0]:
                stream.read(1)
            proc.wait()
        """,
        "UL102",
        "The process `proc` started by `subprocess.Popen(cmd)` is not waited for if "
        "`select.select([stream], [], [], 0.5)` on line 6 raises; use `with` or `try`/`finally`",
        [
            "the process is started here",
            "if `select.select([stream], [], [], 0.5)` raises, the process is still running",
        ],
    ),
    # A second call like the acquisition's own: named once.
    (
        """\
        import os

        def copies(fd):
            first = os.dup(fd)
            second = os.dup(fd)
            os.close(first)
            return second
        """,
        "UL102",
        "The file descriptor `first` opened by `os.dup(fd)` is not closed if another such call "
        "on line 5 raises; call `os.close(first)` in a `finally` block",
        [
            "the file descriptor is opened here",
            "if `os.dup(fd)` raises, the file descriptor is still open",
        ],
    ),
    # The message of issue 14 (asyncio/selector_events.py:165), read twice no more.
    (
        """\
        def accept(sock, handle):
            for _ in range(10):
                try:
                    conn, addr = sock.accept()
                    conn.setblocking(False)
                except OSError:
                    continue
                else:
                    handle(conn)
        """,
        "UL107",
        "The socket `conn` created by `sock.accept()` is not closed if "
        "`conn.setblocking(False)` on line 5 raises: the loop then comes back to line 4, which "
        "reassigns `conn`; close it where the exception is handled",
        [
            "the socket is created here",
            "if `conn.setblocking(False)` raises, the socket is still open",
        ],
    ),
    (
        """\
        def reb(p, q):
            f = open(p)
            f = open(q)
            f.close()
        """,
        "UL107",
        "The file `f` opened by `open(p)` is still open when line 3 reassigns `f`; close it first",
        ["the file is opened here", "`f` is reassigned here while the file is still open"],
    ),
    (
        """\
        import asyncio
        async def spawn(coro):
            asyncio.create_task(coro)
        """,
        "UL108",
        "The task started by `asyncio.create_task(coro)` is not kept: Python may delete it "
        "before it finishes; await it or keep it in a set",
        [],
    ),
    (
        """\
        import subprocess
        def run(cmd):
            p = subprocess.Popen(cmd)
            return p.pid
        """,
        "UL101",
        "The process `p` started by `subprocess.Popen(cmd)` is never waited for; use `with`",
        ["the process is started here", "the function returns here with the process still running"],
    ),
    (
        # smbprotocol's Connection: a private helper that disconnects before raising a
        # worker's error is a release too, but the one to name is disconnect().
        """        import socket
        class Connection:
            def __init__(self, server):
                self.transport = socket.create_connection(server)
            def disconnect(self):
                self.transport.close()
            def _check_worker_running(self):
                if self._t_exc is not None:
                    self.disconnect()
                    raise self._t_exc
        def register(server):
            connection = Connection(server)
            connection.login()
            return connection
        """,
        "UL102",
        "The `Connection` instance `connection` created by `Connection(server)` is not released "
        "if `connection.login()` on line 13 raises; call `connection.disconnect()` in a "
        "`finally` block",
        [
            "the `Connection` instance is created here",
            "if `connection.login()` raises, the `Connection` instance is still open",
        ],
    ),
    (
        # gunicorn's DirtyWorker: `run()` releases in its `finally`, `_cleanup()` is the
        # release itself (private, but named for the job).
        """\
        import tempfile
        class Worker:
            def __init__(self):
                self.tmp = tempfile.TemporaryFile()
            def run(self):
                try:
                    self.serve()
                finally:
                    self._cleanup()
            def _cleanup(self):
                try:
                    self.tmp.close()
                except Exception:
                    pass
        def use():
            worker = Worker()
            worker.load()
            worker._cleanup()
        """,
        "UL102",
        "The `Worker` instance `worker` created by `Worker()` is not released if "
        "`worker.load()` on line 17 raises; call `worker._cleanup()` in a `finally` block",
        [
            "the `Worker` instance is created here",
            "if `worker.load()` raises, the `Worker` instance is still open",
        ],
    ),
    (
        # openpyxl's ExcelReader: its only release parses first and closes last, outside a
        # `finally`: calling it again where the exception is handled is no cleanup.
        """        from zipfile import ZipFile
        class ExcelReader:
            def __init__(self, fn):
                self.archive = ZipFile(fn)
            def read(self):
                self.parse()
                self.archive.close()
        def load_workbook(fn):
            reader = ExcelReader(fn)
            reader.read()
            return reader
        """,
        "UL102",
        "The `ExcelReader` instance `reader` created by `ExcelReader(fn)` is not released if "
        "`reader.read()` on line 10 raises; `read()` releases it only when it returns; release "
        "it in a `finally` there",
        [
            "the `ExcelReader` instance is created here",
            "if `reader.read()` raises, the `ExcelReader` instance is still open",
        ],
    ),
]


@pytest.mark.parametrize("source, code, message, notes", CASES)
def test_representative_messages(source: str, code: str, message: str, notes: list[str]) -> None:
    found = [f for f in findings(source) if f.code == code]
    assert [f.message for f in found] == [message]
    assert [r.message for r in found[0].related] == notes
    check_plain(found[0])


def _words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z_]+", re.sub(r"`[^`]*`", " ", text))


def check_plain(finding: Finding) -> None:
    """No internal word outside code spans; no stretch of five words said twice."""
    details = dict(finding.details).values()
    texts = [finding.message, *(r.message for r in finding.related), *details]
    for text in texts:
        words = _words(text)
        bad = sorted({w for w in words if w in INTERNAL or w.lower() in INTERNAL if w != "None"})
        bad += ["None"] if "None" in words else []
        assert not bad, f"{finding.code}: internal words {bad} in {text!r}"
        grams = [tuple(w.lower() for w in words[i : i + 5]) for i in range(len(words) - 4)]
        repeated = {g for g in grams if grams.count(g) > 1}
        assert not repeated, f"{finding.code}: {text!r} repeats {sorted(repeated)}"
        spans = re.findall(r"`[^`]+\([^`]*\)`", text)
        assert len(spans) == len(set(spans)), f"{finding.code}: {text!r} names a call twice"
    assert len(finding.message) <= 220, f"{finding.code}: too long: {finding.message!r}"


FIXTURE_FILES = sorted(FIXTURES.glob("UL1*/*.py"))


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_fixture_message_is_plain(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    found = check_source(text, str(path), Settings())
    for finding in found:
        check_plain(finding)
