"""Of several statements whose failure leaks a resource, the message names the one likeliest
to fail (catalogue/failure_rank.py): I/O, network, parsing, a callback or a `raise` before an
unknown call, an unknown call before a predicate, a log call, an option setter, a `seek` or
a lookup, whatever their order in the function."""

from __future__ import annotations

import ast
import textwrap

import pytest
from unleak.catalogue.failure_rank import LIKELY, UNKNOWN, WEAK, failure_rank, stepping_rank
from unleak.findings.messages import call_text
from unleak.names.resolver import NameResolver
from unleak.pipeline.api import check_source
from unleak.settings import Settings


def messages(src: str) -> list[tuple[int, str, str, str]]:
    out = check_source(textwrap.dedent(src), "m.py", Settings())
    return [(f.span.line, f.code, f.severity.value, f.message) for f in out]


def test_the_write_is_named_over_an_earlier_log_check() -> None:
    # ldap3's Connection.response_to_file named `log_enabled(BASIC)`.
    got = messages(
        """
        from .log import log_enabled, BASIC

        def dump(path, data):
            target = open(path, "w+")
            if log_enabled(BASIC):
                print("writing")
            target.writelines(data)
            target.close()
        """
    )
    assert [(line, code, sev) for line, code, sev, _ in got] == [(5, "UL102", "warning")]
    assert "`target.writelines(data)` on line 8 raises" in got[0][3]


def test_a_bind_is_named_over_an_earlier_option_setter() -> None:
    # zeroconf's new_socket named `set_so_reuseport_if_available(s)`.
    got = messages(
        """
        import socket
        from .util import set_so_reuseport_if_available

        def new_socket(addr):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            set_so_reuseport_if_available(s.fileno())
            s.bind(addr)
            return s
        """
    )
    assert [(line, code) for line, code, _, _ in got] == [(6, "UL102")]
    assert "`s.bind(addr)` on line 8 raises" in got[0][3]


def test_a_raise_is_named_over_an_earlier_lookup() -> None:
    # s3cmd's object_put named `stat[ST_SIZE]`.
    got = messages(
        """
        import io, os
        from stat import ST_SIZE

        def put(name, info, limit):
            stream = io.open(name, "rb")
            size = info[ST_SIZE]
            if size > limit:
                raise ValueError("too big")
            return stream
        """
    )
    assert [(line, code) for line, code, _, _ in got] == [(6, "UL102")]
    assert "when the `raise` on line 9 runs" in got[0][3]


def test_an_unknown_call_is_named_over_an_earlier_predicate() -> None:
    # ZODB's exportFile named `IBlobStorage.providedBy(...)`; one path reaches the handler
    # through each, and the likelier one is followed again.
    got = messages(
        """
        from tempfile import TemporaryFile
        from .interfaces import IBlobStorage

        def export(storage, oids):
            f = TemporaryFile()
            try:
                blobs = IBlobStorage.providedBy(storage)
                for oid in oids:
                    f.write(storage.load(oid))
            except KeyError:
                raise
            return f
        """
    )
    assert [(line, code) for line, code, _, _ in got] == [(6, "UL102")]
    assert "`f.write(storage.load(oid))` on line 10 raises" in got[0][3]


def test_a_weak_raiser_alone_is_still_named() -> None:
    got = messages(
        """
        def first(path):
            f = open(path)
            if f.closed:
                return None
            f.seek(0)
            return f
        """
    )
    assert [(line, code) for line, code, _, _ in got] == [(3, "UL102")]
    assert "`f.seek(0)` on line 6 raises" in got[0][3]


def _rank(stmt: str) -> int:
    tree = ast.parse("import os, socket, json, logging\n" + stmt)
    resolver = NameResolver(tree)
    return failure_rank(tree.body[-1], resolver.qualify)


@pytest.mark.parametrize(
    ("stmt", "rank"),
    [
        ("sock.connect(addr)", LIKELY),
        ("data = f.read()", LIKELY),
        ("json.loads(text)", LIKELY),
        ("os.rename(a, b)", LIKELY),
        ("self.status_callback('running')", LIKELY),
        ("raise ValueError(x)", LIKELY),
        ("check_hostname(sock, host)", UNKNOWN),
        ("job_id.decode()", UNKNOWN),
        ("OutputEventFilter(handle, cb)", UNKNOWN),
        ("log_enabled(BASIC)", WEAK),
        ("IBlobStorage.providedBy(storage)", WEAK),
        ("self.is_ready()", WEAK),
        ("set_cloexec(fd)", WEAK),
        ("handler.setName('x')", WEAK),
        ("f.seek(pos)", WEAK),
        ("size = st[ST_SIZE]", WEAK),
        ("os.fdopen(fd, 'rb')", WEAK),
        ("sock.setsockopt(1, 2, 3)", WEAK),
        ("logging.getLogger(name).addHandler(h)", WEAK),
        ("queue.pop()", WEAK),
        ("s = os.linesep.join(lines)", WEAK),
        ("b = os.linesep.encode(enc, errors)", UNKNOWN),
        ("size = os.path.getsize(p)", LIKELY),
    ],
)
def test_failure_rank(stmt: str, rank: int) -> None:
    assert _rank(stmt) == rank


def test_stepping_rank() -> None:
    tree = ast.parse("for x in items: pass\nfor x in f.readlines(): pass\nfor x in d.items(): pass")
    resolver = NameResolver(tree)
    ranks = [stepping_rank(loop.iter, resolver.qualify) for loop in tree.body]  # type: ignore[attr-defined]
    assert ranks == [WEAK, LIKELY, WEAK]


def test_a_call_of_a_long_call_is_named_by_its_maker() -> None:
    # python-gnupg's `codecs.getwriter(self.encoding)(p.stdin)` was named "`call`".
    call = ast.parse("codecs.getwriter(self.encoding_of_the_stream)(p.stdin)").body[0]
    assert call_text(call.value) == "codecs.getwriter(...)(...)"  # type: ignore[attr-defined]
