"""Hover over a resource name: where it is released or handed on (computed on demand for
the hovered function), jedi's inferred type, and a project function returning a resource."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest
from lsprotocol import types

from .conftest import TIMEOUT, Session, Starter
from .test_lsp_diagnostics import URI
from .test_lsp_hover import markdown

pytestmark = pytest.mark.asyncio

MANAGED = """\
import socket


def read(p):
    with open(p) as f:
        data = f.read()
    return data


def send(host, payload):
    sock = socket.socket()
    try:
        sock.connect(host)
        sock.sendall(payload)
    finally:
        sock.close()


def opened(p):
    f = open(p)
    return f


class Conn:
    def __init__(self, addr):
        self._sock = socket.create_connection(addr)

    def close(self):
        self._sock.close()
"""


def at(text: str, line: int, name: str) -> types.Position:
    """The position of the middle of ``name`` on 0-based ``line``."""
    return types.Position(line, text.splitlines()[line].index(name) + len(name) // 2)


async def hover_text(s: Session, uri: str, text: str, line: int, name: str) -> str:
    p = at(text, line, name)
    return markdown(await s.hover(uri, p.line, p.character))


async def test_hover_over_managed_resources(start: Starter) -> None:
    s = await start(env={"UNLEAK_JEDI_TIMEOUT": "5"})
    s.open(URI, MANAGED)
    assert await s.diagnostics(URI, 1) == []
    with_note = (
        "`f`: the file opened by `open(p)` on line 5, released by `with` at line 6 "
        "(end of the block)"
    )
    # The `with` target and its later use.
    assert (await hover_text(s, URI, MANAGED, 4, "f")).startswith(with_note)
    hover = await s.hover(URI, 5, 16)
    assert markdown(hover).startswith(with_note)
    assert hover is not None and hover.range == types.Range(
        types.Position(5, 15), types.Position(5, 16)
    )
    text = await hover_text(s, URI, MANAGED, 13, "sock")
    assert text.startswith(
        "`sock`: the socket created by `socket.socket()` on line 11, "
        "released by `sock.close()` on line 16 on every path"
    )
    # jedi adds the type it infers (once it has loaded; a slow first answer comes later).
    await until_hover_contains(s, URI, at(MANAGED, 13, "sock"), "Type (jedi): `socket.socket`")
    assert (await hover_text(s, URI, MANAGED, 20, "f")).startswith(
        "`f`: the file opened by `open(p)` on line 20, handed to the caller on line 21 (returned)"
    )
    assert (await hover_text(s, URI, MANAGED, 25, "_sock")).startswith(
        "`self._sock`: the socket created by `socket.create_connection(addr)` on line 26, "
        "owned by `self._sock` (released in `close()`)"
    )
    # The attribute in another method: where it is stored and released.
    assert (await hover_text(s, URI, MANAGED, 28, "_sock")).startswith(
        "`self._sock`: the socket created by `socket.create_connection(addr)` on line 26, "
        "owned by the object (stored in `__init__()`); released in `close()`"
    )
    # Not a resource: nothing (`data` is a str, `host` a parameter of unknown type).
    assert await s.hover(URI, 6, 12) is None
    assert await s.hover(URI, 12, 21) is None


async def test_hover_follows_edits(start: Starter) -> None:
    s = await start(env={"UNLEAK_JEDI_TIMEOUT": "0"})
    s.open(URI, MANAGED)
    await s.diagnostics(URI, 1)
    assert "on line 5," in await hover_text(s, URI, MANAGED, 5, "f")
    # Two lines inserted at the top: the note for the new version says so.
    v = s.change(
        URI, types.TextEdit(types.Range(types.Position(0, 0), types.Position(0, 0)), "\n\n")
    )
    await s.diagnostics(URI, v)
    text = s.texts[URI]
    assert (await hover_text(s, URI, text, 7, "f")).startswith(
        "`f`: the file opened by `open(p)` on line 7, released by `with` at line 8"
    )
    # The `with` becomes a plain assignment that leaks on an exception.
    v = s.replace_all(
        URI, "def read(p):\n    f = open(p)\n    data = f.read()\n    f.close()\n    return data\n"
    )
    (d,) = await s.diagnostics(URI, v)
    assert d.code == "UL102"
    assert (await hover_text(s, URI, s.texts[URI], 3, "f")).startswith(
        "`f`: the file opened by `open(p)` on line 2, released by `f.close()` on line 4; "
        "but not on every path: it leaks if `f.read()` on line 3 raises"
    )


async def test_reopened_document_with_the_same_version(start: Starter) -> None:
    s = await start(env={"UNLEAK_JEDI_TIMEOUT": "0.2"})
    s.open(URI, MANAGED)
    await s.diagnostics(URI, 1)
    assert "on line 5," in await hover_text(s, URI, MANAGED, 5, "f")
    s.close(URI)
    seen = len(s.published)
    s.open(URI, "\n" + MANAGED)  # version 1 again, another text
    await s.diagnostics(URI, 1, after=seen)
    assert (await hover_text(s, URI, "\n" + MANAGED, 6, "f")).startswith(
        "`f`: the file opened by `open(p)` on line 6"
    )


async def test_without_jedi(start: Starter, tmp_path: Path) -> None:
    """jedi that cannot be imported: hovers go on without its part, said once in the log."""
    (tmp_path / "jedi.py").write_text("raise ImportError('no jedi here')\n")
    # Keep the caller's PYTHONPATH after the fake jedi (a worktree's own code wins).
    path = os.pathsep.join(p for p in (str(tmp_path), os.environ.get("PYTHONPATH")) if p)
    s = await start(env={"PYTHONPATH": path, "UNLEAK_JEDI_TIMEOUT": "5"})
    s.open(URI, MANAGED)
    await s.diagnostics(URI, 1)
    for _ in range(2):
        text = await hover_text(s, URI, MANAGED, 13, "sock")
        assert text == (
            "`sock`: the socket created by `socket.socket()` on line 11, "
            "released by `sock.close()` on line 16 on every path"
        )
    await s.log_containing("jedi cannot be imported (no jedi here)")


async def test_jedi_timeout_drops_only_its_part(start: Starter) -> None:
    # jedi cannot even be imported in a millisecond: the hover goes without its part...
    s = await start(env={"UNLEAK_JEDI_TIMEOUT": "0.001"})
    s.open(URI, MANAGED)
    await s.diagnostics(URI, 1)
    text = await hover_text(s, URI, MANAGED, 13, "sock")
    assert text.startswith("`sock`: the socket created by `socket.socket()` on line 11")
    assert "jedi" not in text
    # ... and a later hover at the same place gets jedi's answer, cached when it came.
    await until_hover_contains(s, URI, at(MANAGED, 13, "sock"), "Type (jedi): `socket.socket`")


async def until_hover_contains(s: Session, uri: str, position: types.Position, needle: str) -> str:
    """jedi's first answers can take longer than the hover waits (it loads stubs): hover
    again until the answer, cached meanwhile, is there (a minute: on a loaded machine jedi's
    first import and inference took over 30 s)."""
    deadline = time.monotonic() + 6 * TIMEOUT
    text = ""
    while time.monotonic() < deadline:
        hover = await s.hover(uri, position.line, position.character)
        text = markdown(hover) if hover is not None else ""
        if needle in text:
            return text
        await asyncio.sleep(0.2)
    raise AssertionError(f"no {needle!r} in the hover: {text!r}")


PROJECT_DB = """\
import sqlite3


def make_conn(path):
    return sqlite3.connect(path)


def version():
    return "1"
"""

PROJECT_APP = """\
import socket

from pkg import db


def serve(sock: socket.socket, path):
    v = db.version()
    sock.sendall(v.encode())
    conn = db.make_conn(path)
    return conn
"""


async def test_jedi_types_and_project_functions(start: Starter, tmp_path: Path) -> None:
    root = tmp_path / "project"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "db.py").write_text(PROJECT_DB)
    app = root / "pkg" / "app.py"
    app.write_text(PROJECT_APP)
    uri = app.as_uri()
    s = await start(folders=[root])
    s.open(uri, PROJECT_APP)
    await s.diagnostics(uri, 1)
    # A call of a function of another module that returns a resource: where it is defined.
    text = await until_hover_contains(s, uri, at(PROJECT_APP, 8, "make_conn"), "defined in")
    assert text == (
        "`make_conn()` (defined in `pkg/db.py` on line 4) returns a new sqlite3 connection: "
        "each call acquires one, and the caller must release it"
    )
    # A parameter: the type jedi infers from its annotation, at its definition and its uses.
    for line in (5, 7):
        text = await until_hover_contains(s, uri, at(PROJECT_APP, line, "sock"), "jedi")
        assert text == (
            "`sock`: a socket (`socket.socket`, inferred by jedi); a parameter: the caller owns it"
        )
    # A function that returns no resource, and a plain string: nothing.
    assert await s.hover(uri, 6, at(PROJECT_APP, 6, "version").character) is None
    assert await s.hover(uri, 6, at(PROJECT_APP, 6, "v").character) is None


BROKEN = """\
import socket
def f(p:
    with open(p) as f:
        return f.read(
class C:
    def __init__(self):
        self.s = socket.socket()
    def g(self, x):
        r, w = __import__("os").pipe()
        lambda: r
        for line in open(p): pass
def \u00e9t\u00e9(\U0001d49c):
    fh = open(\U0001d49c)
    return fh
"""


async def test_hover_everywhere_in_odd_documents(start: Starter) -> None:
    """Every identifier of broken, non-ASCII and untitled documents gets an answer."""
    import re

    s = await start(env={"UNLEAK_JEDI_TIMEOUT": "0.05"})
    uris = [URI, "untitled:Untitled-1"]
    for uri in uris:
        s.open(uri, BROKEN)
        await s.diagnostics(uri, 1)
    answered = 0
    for uri in uris:
        for index, line in enumerate(BROKEN.splitlines()):
            for match in re.finditer(r"\w+", line):
                # Columns in UTF-16 code units, as negotiated by default.
                character = len(line[: match.start()].encode("utf-16-le")) // 2
                hover = await s.hover(uri, index, character)
                answered += hover is not None
    assert answered > 0
    # The last function parses: its resource is explained despite the broken code above.
    line = BROKEN.splitlines()[13]
    character = len(line[: line.index("fh")].encode("utf-16-le")) // 2
    assert markdown(await s.hover(URI, 13, character)).startswith(
        "`fh`: the file opened by `open(A)` on line 13, handed to the caller on line 14 (returned)"
    )
    # The server is still well: an edit is analysed.
    v = s.replace_all(URI, "def f(p):\n    x = open(p)\n")
    assert [d.code for d in await s.diagnostics(URI, v)] == ["UL101"]


async def test_jedi_is_not_imported_at_start() -> None:
    """Starting the server (creating it and its features) leaves jedi and the explanation
    engine unimported: they load on the first hover."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from unleak.lsp.server import create_server\n"
        "create_server()\n"
        "heavy = ('jedi', 'parso', 'unleak.findings.explain')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert out.stdout.strip() == "[]"
