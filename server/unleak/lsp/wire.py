"""``textDocument/publishDiagnostics`` written from each diagnostic's JSON, kept from one
publication of a document to the next.

pygls turns a notification into JSON by unstructuring every diagnostic again (cattrs) and
encoding the whole message: with 25,000 diagnostics that is seconds of CPU at each keystroke,
although an edit changes a handful of them. A diagnostic is never changed in place (see
`unleak.lsp.convert.Converted`), so its JSON text is kept while it is published, and a
publication joins those texts into the message pygls would send, without the spaces after
its separators (``tests/lsp/test_wire.py`` holds it to pygls' own: the same JSON value; a
diagnostic is about 7% shorter).
"""

from __future__ import annotations

import json
from typing import Any

from lsprotocol import types

from unleak.lsp.convert import common_ends

# What the parameters' empty list of diagnostics reads as in the message. Only a key can read
# so: inside a JSON string every quote is escaped.
_EMPTY = '"diagnostics":[]'
# No space after a separator: a large module's 25,000 diagnostics are sent at every edit.
_COMPACT = (",", ":")


class DiagnosticsWire:
    """The JSON of the diagnostics last published for each document (by URI)."""

    def __init__(self, converter: Any) -> None:
        self._converter = converter
        # Per document: the diagnostics last published and their JSON texts.
        self._texts: dict[str, tuple[list[types.Diagnostic], list[str]]] = {}

    def message(self, params: types.PublishDiagnosticsParams) -> str:
        """The JSON text of the notification publishing ``params``, as
        ``json.dumps(notification, default=pygls' serializer)`` gives it but compact."""
        diagnostics = list(params.diagnostics)
        old, texts = self._texts.get(params.uri, ([], []))
        # Those kept at the start and at the end are taken over as slices; the others are
        # looked up among those in between.
        start, end = common_ends(old, diagnostics)
        middle = {
            id(d): (d, t)
            for d, t in zip(
                old[start : len(old) - end], texts[start : len(texts) - end], strict=True
            )
        }
        made: list[str] = []
        for d in diagnostics[start : len(diagnostics) - end]:
            entry = middle.get(id(d))
            if entry is None or entry[0] is not d:
                text = json.dumps(self._converter.unstructure(d), separators=_COMPACT)
                entry = (d, text)
            made.append(entry[1])
        new = [*texts[:start], *made, *texts[len(texts) - end :]]
        if new:
            self._texts[params.uri] = (diagnostics, new)
        else:  # nothing shown (a closed document): nothing kept
            self._texts.pop(params.uri, None)
        empty = types.PublishDiagnosticsParams(
            uri=params.uri, diagnostics=[], version=params.version
        )
        notification = types.PublishDiagnosticsNotification(
            method="textDocument/publishDiagnostics", params=empty, jsonrpc="2.0"
        )
        head = json.dumps(self._converter.unstructure(notification), separators=_COMPACT)
        if not new:
            return head
        at = head.index(_EMPTY) + len(_EMPTY) - 1
        # One join makes the message (5 MB for 25,000 diagnostics): the notification's text
        # around the list goes into its first and last items.
        pieces = list(new)
        pieces[0] = head[:at] + pieces[0]
        pieces[-1] += head[at:]
        return ",".join(pieces)

    def documents(self) -> int:
        """How many documents' diagnostics are kept (for tests)."""
        return len(self._texts)
