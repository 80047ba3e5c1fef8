"""Severities of the likelihood fixtures (tests/fixtures/rules/UL102/unlikely_steps.py and
UL104/unlikely_before.py): leaks that need a statement that almost never fails to raise are
information; the rest stay warnings, and messages name a likely statement."""

from __future__ import annotations

import textwrap
from pathlib import Path

from unleak.pipeline.api import check_source

FIXTURES = Path(__file__).parent.parent / "fixtures" / "rules"


def severities(path: Path) -> dict[str, str]:
    """Each finding's severity, by the name of the function it is in."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    out: dict[str, str] = {}
    for f in check_source(text, str(path)):
        func = next(
            line.split("def ", 1)[1].split("(", 1)[0]
            for line in reversed(lines[: f.span.line])
            if line.lstrip().startswith("def ")
        )
        out[func] = f.severity.value
    return out


def test_unlikely_steps_are_information() -> None:
    got = severities(FIXTURES / "UL102" / "unlikely_steps.py")
    assert got == {
        "add_typedef": "info",
        "log_state": "info",
        "placeholder": "info",
        "write_document": "warning",
        "load_binary": "info",
        "load_text": "warning",
        "chunk": "info",
        "remote_name": "info",
        "config_header": "info",
        "reader": "info",
        "announce": "info",
    }


def test_unbound_in_finally_after_unlikely_statements_is_information() -> None:
    got = severities(FIXTURES / "UL104" / "unlikely_before.py")
    assert got == {"probe": "info", "read": "warning"}


def test_a_line_built_by_an_unknown_call_is_a_likely_failure() -> None:
    src = textwrap.dedent(
        """
        def save(path, obj):
            f = open(path, "w")
            f.write("%s\\n" % render(obj))
            f.close()
        """
    )
    (finding,) = check_source(src, "m.py")
    assert finding.severity.value == "warning"
    assert "render" in finding.message or "line 4" in finding.message


def test_attribute_reset_after_unlikely_statements_is_information() -> None:
    src = textwrap.dedent(
        """
        import socket

        class Client:
            def open(self, af):
                try:
                    self._sock = socket.socket(af, socket.SOCK_DGRAM)
                    self._sock.settimeout(3.0)
                except OSError:
                    self._sock = None

            def connect(self, addr):
                try:
                    self._sock = socket.socket()
                    self._sock.settimeout(3.0)
                    self._sock.connect(addr)
                    self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                except OSError:
                    self._sock = None

            def close(self):
                self._sock.close()
        """
    )
    got = sorted((f.span.line, f.severity.value, f.message) for f in check_source(src, "m.py"))
    assert [(line, sev) for line, sev, _ in got] == [(7, "info"), (14, "warning")]
    assert "`self._sock.connect(addr)` on line 16 raises" in got[1][2]
