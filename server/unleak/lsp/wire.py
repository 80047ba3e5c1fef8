"""``textDocument/publishDiagnostics`` written from each diagnostic's JSON, kept from one
publication of a document to the next.

pygls turns a notification into JSON by unstructuring every diagnostic again (cattrs) and
encoding the whole message: with 25,000 diagnostics that is seconds of CPU at each keystroke,
although an edit changes a handful of them. A diagnostic is never changed in place (see
`unleak.lsp.convert.Converted`), so its JSON text is kept while it is published, and a
publication joins those texts into the message pygls would send, byte for byte
(``tests/lsp/test_wire.py`` holds it to pygls' own).
"""

from __future__ import annotations

import json
from typing import Any

from lsprotocol import types

# What the parameters' empty list of diagnostics reads as in the message. Only a key can read
# so: inside a JSON string every quote is escaped.
_EMPTY = '"diagnostics": []'


class DiagnosticsWire:
    """The JSON of the diagnostics last published for each document (by URI)."""

    def __init__(self, converter: Any) -> None:
        self._converter = converter
        self._texts: dict[str, dict[int, tuple[types.Diagnostic, str]]] = {}

    def message(self, params: types.PublishDiagnosticsParams) -> str:
        """The JSON text of the notification publishing ``params``, as
        ``json.dumps(notification, default=pygls' serializer)`` gives it."""
        old = self._texts.get(params.uri, {})
        new: dict[int, tuple[types.Diagnostic, str]] = {}
        texts: list[str] = []
        for d in params.diagnostics:
            entry = old.get(id(d))
            if entry is None or entry[0] is not d:
                entry = (d, json.dumps(self._converter.unstructure(d)))
            new[id(d)] = entry
            texts.append(entry[1])
        if new:
            self._texts[params.uri] = new
        else:  # nothing shown (a closed document): nothing kept
            self._texts.pop(params.uri, None)
        empty = types.PublishDiagnosticsParams(
            uri=params.uri, diagnostics=[], version=params.version
        )
        notification = types.PublishDiagnosticsNotification(
            method="textDocument/publishDiagnostics", params=empty, jsonrpc="2.0"
        )
        head = json.dumps(self._converter.unstructure(notification))
        at = head.index(_EMPTY) + len(_EMPTY) - 1
        return f"{head[:at]}{', '.join(texts)}{head[at:]}"

    def documents(self) -> int:
        """How many documents' diagnostics are kept (for tests)."""
        return len(self._texts)
