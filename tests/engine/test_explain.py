"""Explanations of handled resources (the language server's hover over a resource name):
where each acquisition of a function is released or handed on."""

from __future__ import annotations

import textwrap

import pytest
from unleak.findings.explain import explain_at
from unleak.settings import Settings

SOURCE = textwrap.dedent(
    """\
    import io
    import socket
    import threading

    def with_block(p):
        with open(p) as f:
            data = f.read()
        return data

    def try_finally(host):
        sock = socket.socket()
        try:
            sock.connect(host)
        finally:
            sock.close()

    def returned(p):
        f = open(p)
        return f

    class Conn:
        def __init__(self, addr):
            self._sock = socket.create_connection(addr)

        def close(self):
            self._sock.close()

    def some_paths(p):
        f = open(p)
        data = f.read()
        f.close()
        return data

    def aliases(p, first):
        g = open(p)
        h = g
        if first:
            h.close()
        else:
            g.close()

    lock = threading.Lock()

    def locked():
        lock.acquire()
        try:
            pass
        finally:
            lock.release()

    def wrapped(path):
        raw = open(path, "rb")
        return io.TextIOWrapper(raw)

    def reused(a, b):
        with open(a) as f:
            pass
        f = open(b)
        return f

    def kept(paths, items, p):
        import contextlib
        with contextlib.ExitStack() as stack:
            files = [stack.enter_context(open(p)) for p in paths]
        items.append(open(p))
        global CACHE
        CACHE = open(p)
        return [open(p) for p in paths], files
    """
)


def note_at(line: int, name: str, occurrence: int = 0) -> str:
    """The note for the ``occurrence``-th ``name`` on 1-based ``line``."""
    text = SOURCE.splitlines()[line - 1]
    column = text.index(name)
    for _ in range(occurrence):
        column = text.index(name, column + 1)
    explanation = explain_at(SOURCE, "m.py", Settings(), "", line)
    assert explanation is not None and explanation.covers(line)
    hit = explanation.at(line, column + 1)
    assert hit is not None, (line, name)
    note, span, shown = hit
    assert (span.line, span.column, span.end_column) == (line, column, column + len(name))
    return note.markdown(shown)


@pytest.mark.parametrize(
    "line, name, expected",
    [
        (
            6,
            "f",
            "`f`: the file opened by `open(p)` on line 6, "
            "released by `with` at line 7 (end of the block)",
        ),
        (
            7,
            "f",
            "`f`: the file opened by `open(p)` on line 6, "
            "released by `with` at line 7 (end of the block)",
        ),
        (
            13,
            "sock",
            "`sock`: the socket created by `socket.socket()` on line 11, "
            "released by `sock.close()` on line 15 on every path",
        ),
        (
            19,
            "f",
            "`f`: the file opened by `open(p)` on line 18, "
            "handed to the caller on line 19 (returned)",
        ),
        (
            23,
            "self._sock",
            "`self._sock`: the socket created by `socket.create_connection(addr)` on line 23, "
            "owned by `self._sock` (released in `close()`)",
        ),
        (
            26,
            "self._sock",
            "`self._sock`: the socket created by `socket.create_connection(addr)` on line 23, "
            "owned by the object (stored in `__init__()`); released in `close()`",
        ),
        (32, "data", None),
        (
            30,
            "f",
            "`f`: the file opened by `open(p)` on line 29, "
            "released by `f.close()` on line 31; but not on every path: "
            "it leaks if `f.read()` on line 30 raises",
        ),
        (
            38,
            "h",
            "`h`: the file opened by `open(p)` on line 35, "
            "released by `h.close()` on line 38 or by `g.close()` on line 40 on every path",
        ),
        (
            45,
            "lock",
            "`lock`: the lock acquired by `lock.acquire()` on line 45, "
            "released by `lock.release()` on line 49 on every path",
        ),
        (
            53,
            "raw",
            "`raw`: the file opened by `open(path, 'rb')` on line 52, "
            "owned by the `io.TextIOWrapper()` that wraps it on line 53",
        ),
        (
            56,
            "f",
            "`f`: the file opened by `open(a)` on line 56, "
            "released by `with` at line 57 (end of the block)",
        ),
        (
            59,
            "f",
            "`f`: the file opened by `open(b)` on line 58, "
            "handed to the caller on line 59 (returned)",
        ),
    ],
)
def test_notes(line: int, name: str, expected: str | None) -> None:
    if expected is None:
        explanation = explain_at(SOURCE, "m.py", Settings(), "", line)
        assert explanation is not None
        column = SOURCE.splitlines()[line - 1].index(name)
        assert explanation.at(line, column) is None
        return
    assert note_at(line, name) == expected


def test_innermost_definition_and_bad_input() -> None:
    explanation = explain_at(SOURCE, "m.py", Settings(), "", 26)
    assert explanation is not None
    assert (explanation.first_line, explanation.last_line) == (25, 26)
    assert [n.var for n in explanation.notes] == ["self._sock"]  # stored in __init__
    # Outside every function: the module body (which acquires nothing here).
    module = explain_at(SOURCE, "m.py", Settings(), "", 42)
    assert module is not None and module.first_line == 1 and module.notes == ()
    assert module.covers(42) and not module.covers(26) and not module.covers(5)
    for bad in ("", "def f(:\n    x = open(p)\n", "\x00", "with open(p) as f:\n"):
        result = explain_at(bad, "m.py", Settings(), "", 1)
        assert result is None or result.notes == () or result.covers(1)


def test_resources_handed_on() -> None:
    explanation = explain_at(SOURCE, "m.py", Settings(), "", 62)
    assert explanation is not None
    assert sorted(note.markdown() for note in explanation.notes) == [
        "The file opened by `open(p)` on line 64, handed to `stack.enter_context()` on line 64",
        "The file opened by `open(p)` on line 65, handed to `items.append()` on line 65",
        "The file opened by `open(p)` on line 67, stored in the global `CACHE`",
        "The file opened by `open(p)` on line 68, handed to the caller on line 68 (returned)",
        "`stack`: the ExitStack created by `contextlib.ExitStack()` on line 63, "
        "released by `with` at line 64 (end of the block)",
    ]
    # The global that owns it names it.
    hit = explanation.at(67, 5)
    assert hit is not None and hit[2] == "CACHE"
    assert hit[0].markdown("CACHE").startswith("`CACHE`: the file opened by `open(p)` on line 67")
