"""Resolution through imports and aliases, user-declared resources, and summaries across
functions and modules."""

from __future__ import annotations

import textwrap

import pytest
from unleak.pipeline.api import analyse_source, check_source
from unleak.settings import ExtraResource, Settings


def codes(src: str, settings: Settings | None = None) -> list[tuple[int, str]]:
    return [(f.span.line, f.code) for f in check_source(textwrap.dedent(src), settings=settings)]


@pytest.mark.parametrize(
    "imports, call",
    [
        ("import sqlite3 as db", "db.connect(p)"),
        ("from subprocess import Popen as P", "P(['true'])"),
        ("from pathlib import Path", "Path(p).open()"),
        ("import socket", "socket.create_connection((p, 80))"),
        ("from tempfile import NamedTemporaryFile", "NamedTemporaryFile()"),
        ("import requests", "requests.Session()"),
    ],
)
def test_acquisitions_resolve_through_imports(imports: str, call: str) -> None:
    # `r.get(p)`: a requests Session holds a connection only once it sends a request.
    src = f"{imports}\ndef f(p):\n    r = {call}\n    r.get(p)\n    return 1\n"
    assert codes(src) == [(3, "UL101")]


def test_shadowed_name_is_not_a_factory() -> None:
    src = "def open(p):\n    return p\ndef f(p):\n    r = open(p)\n    return 1\n"
    assert codes(src) == []


def test_extra_resources_from_settings() -> None:
    src = "import mylib\ndef f():\n    c = mylib.connect()\n    c.query()\n    return 1\n"
    assert codes(src) == []
    extra = Settings(extra_resources=(ExtraResource("mylib.connect", ("disconnect",)),))
    assert codes(src, extra) == [(3, "UL101")]
    released = src.replace("    return 1", "    c.disconnect()\n    return 1")
    assert codes(released, extra) == [(3, "UL102")]


def test_local_factory_and_local_releaser() -> None:
    src = """\
        import sqlite3
        def connect(path):
            return sqlite3.connect(path)
        def shut(conn):
            conn.close()
        def leaky(path):
            conn = connect(path)
            return conn.execute("select 1").fetchone()
        def fine(path):
            conn = connect(path)
            shut(conn)
        """
    assert codes(src) == [(7, "UL101")]


def test_resource_class_instances_are_resources() -> None:
    src = """\
        import sqlite3
        class Store:
            def __init__(self, path):
                self.conn = sqlite3.connect(path)
            def close(self):
                self.conn.close()
        def leaky(path):
            s = Store(path)
            return 1
        def fine(path):
            s = Store(path)
            s.close()
        """
    assert codes(src) == [(8, "UL101")]


def test_exports_make_calls_in_other_modules_acquisitions() -> None:
    db = "import sqlite3\ndef connect_db(path):\n    return sqlite3.connect(path)\n"
    use = "from .db import connect_db\ndef count(p):\n    conn = connect_db(p)\n    return 1\n"
    report = analyse_source(db, "pkg/db.py", None, "pkg.db")
    assert report.exports == {"pkg.db.connect_db": ("sqlite", ())}
    alone = analyse_source(use, "pkg/use.py", None, "pkg.use")
    assert alone.findings == [] and "pkg.db.connect_db" in alone.imports
    linked = analyse_source(
        use, "pkg/use.py", Settings(external_summaries=report.exports), "pkg.use"
    )
    assert [(f.span.line, f.code) for f in linked.findings] == [(3, "UL101")]
