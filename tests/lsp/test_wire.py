"""Diagnostics published from their kept JSON (lsp/wire.py): the message written is pygls' own
(the same JSON value, compact), and a diagnostic published again is not unstructured again."""

from __future__ import annotations

import json
import random
from typing import Any

from lsprotocol import types
from pygls.protocol import JsonRPCProtocol
from unleak.lsp.convert import UTF16, Converted, TextLines
from unleak.lsp.server import create_server
from unleak.lsp.wire import DiagnosticsWire
from unleak.pipeline.live import LiveModule
from unleak.settings import Settings


class Sink:
    def __init__(self) -> None:
        self.data: list[bytes] = []

    def close(self) -> None:
        pass

    def write(self, data: bytes) -> None:
        self.data.append(data)


def _diagnostic(rng: random.Random, uri: str) -> types.Diagnostic:
    def position() -> types.Position:
        return types.Position(rng.randrange(100), rng.randrange(80))

    related = None
    if rng.random() < 0.5:
        related = [
            types.DiagnosticRelatedInformation(
                types.Location(uri, types.Range(position(), position())),
                rng.choice(["opened here", 'the "f" file', "r\u00e9sum\u00e9 \U0001d523"]),
            )
        ]
    link = types.CodeDescription(href="https://example.org/UL101") if rng.random() < 0.5 else None
    return types.Diagnostic(
        range=types.Range(position(), position()),
        message=rng.choice(["`f` is not closed", "a \\ backslash\nand a line", "\u00e9t\u00e9"]),
        severity=rng.choice(list(types.DiagnosticSeverity)),
        code=rng.choice(["UL101", "UL107", None]),
        code_description=link,
        source=rng.choice(["unleak", None]),
        related_information=related,
    )


def _message(data: bytes) -> tuple[object, int]:
    """A written message's JSON value, and how much shorter its body is than its
    Content-Length says (0 when it says the length)."""
    head, body = data.split(b"\r\n\r\n", 1)
    length = int(head.split(b"Content-Length: ", 1)[1].split(b"\r\n", 1)[0])
    return json.loads(body), length - len(body)


def _pygls_bytes(params: types.PublishDiagnosticsParams) -> bytes:
    """What pygls' own protocol writes for the notification."""
    server = create_server()
    sink = Sink()
    JsonRPCProtocol.set_writer(server.protocol, sink)
    JsonRPCProtocol.notify(server.protocol, types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS, params)
    return b"".join(sink.data)


def test_published_bytes_are_pygls_own() -> None:
    server = create_server()
    sink = Sink()
    server.protocol.set_writer(sink)
    rng = random.Random(7)
    uris = ["file:///m.py", 'file:///a%20b/"diagnostics": [].py', "untitled:\u00e9"]
    shown: dict[str, list[types.Diagnostic]] = {u: [] for u in uris}
    for round in range(30):
        uri = rng.choice(uris)
        # Some diagnostics kept from the last publication, some new, some dropped.
        kept = [d for d in shown[uri] if rng.random() < 0.7]
        new = [_diagnostic(rng, uri) for _ in range(rng.randrange(4))]
        diagnostics = kept + new
        rng.shuffle(diagnostics)
        shown[uri] = diagnostics
        version = rng.choice([round, None])
        params = types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version)
        sink.data.clear()
        server.text_document_publish_diagnostics(params)
        ours, theirs = b"".join(sink.data), _pygls_bytes(params)
        assert _message(ours) == (_message(theirs)[0], 0)
        assert len(ours) < len(theirs) or not diagnostics


def test_a_kept_diagnostic_is_not_unstructured_again() -> None:
    server = create_server()
    converter: Any = server.protocol._converter
    asked: list[object] = []

    class Counting:
        def unstructure(self, obj: Any) -> Any:
            asked.append(obj)
            return converter.unstructure(obj)

    wire = DiagnosticsWire(Counting())
    text = "".join(
        f"def read_{i}(path):\n    f = open(path)\n    return f.read()\n\n" for i in range(20)
    )
    live = LiveModule("m.py", "m", fixes=False)
    converted = Converted()
    uri = "file:///m.py"
    findings = live.analyse(text, Settings()).findings
    first = converted.diagnostics(findings, uri, TextLines(text), UTF16)
    wire.message(types.PublishDiagnosticsParams(uri=uri, diagnostics=first, version=1))
    assert sum(isinstance(a, types.Diagnostic) for a in asked) == 20
    # An edit in one function's body (no line added): its diagnostic alone is new.
    edited = text.replace("read_3(path):\n    f = open(path)", "read_3(path):\n    f = open(path )")
    findings = live.analyse(edited, Settings()).findings
    second = converted.diagnostics(findings, uri, TextLines(edited), UTF16)
    asked.clear()
    message = wire.message(types.PublishDiagnosticsParams(uri=uri, diagnostics=second, version=2))
    new = [a for a in asked if isinstance(a, types.Diagnostic)]
    assert len(new) == sum(not any(d is e for e in first) for d in second) < 20
    theirs = _pygls_bytes(types.PublishDiagnosticsParams(uri=uri, diagnostics=second, version=2))
    assert json.loads(message) == _message(theirs)[0]
    # Nothing shown: nothing kept.
    wire.message(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
    assert wire.documents() == 0


def test_the_length_written_is_in_bytes() -> None:
    # A body that is not ASCII (kept JSON is escaped to ASCII, but the writer must not rely on it).
    server = create_server()
    sink = Sink()
    server.protocol.set_writer(sink)
    body = '{"jsonrpc": "2.0", "method": "x", "params": {"m": "\u00e9t\u00e9 \U0001d523"}}'
    server.protocol._send_text(body)
    value, missing = _message(b"".join(sink.data))
    assert (value, missing) == (json.loads(body), 0)
