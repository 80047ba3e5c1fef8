"""Telling the user that a document could not be analysed (an internal error), so that no
squiggles are never mistaken for a clean file.

A client that declares ``capabilities.experimental.unleak.documentStatus`` (the VS Code
extension) gets an ``unleak/documentStatus`` notification each time a document's state
changes: ``{"uri", "state": "error", "message"}`` when its analysis failed, ``{"uri",
"state": "ok"}`` when a later one succeeded or the document was closed; it shows them as it
likes (a status item, one notification per document). Any other client gets one
``window/showMessage`` error per document, the first time its analysis fails. The traceback
is in the log either way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from unleak.lsp.documents import Document

if TYPE_CHECKING:
    from unleak.lsp.server import UnleakServer

STATUS_METHOD = "unleak/documentStatus"
INTERNAL_ERROR = "internal error"


def wants_status(capabilities: types.ClientCapabilities) -> bool:
    """Whether the client asked for ``unleak/documentStatus`` notifications."""
    experimental: Any = capabilities.experimental
    own = experimental.get("unleak") if isinstance(experimental, Mapping) else None
    return isinstance(own, Mapping) and own.get("documentStatus") is True


def failure_message(doc: Document) -> str:
    name = doc.display_path.rsplit("/", 1)[-1]
    return (
        f"unleak could not check {name}: an internal error stopped its analysis, so its "
        "leaks are not shown (the traceback is in the unleak log)"
    )


class DocumentStatus:
    def __init__(self, server: UnleakServer) -> None:
        self.server = server
        self.custom = False
        self._failed: set[str] = set()
        self._shown: set[str] = set()  # documents whose failure was shown (showMessage)

    def analysed(self, doc: Document, skipped: str | None) -> None:
        """After each analysis of ``doc`` is stored: report a change of state."""
        if skipped == INTERNAL_ERROR:
            if doc.uri not in self._failed:
                self._failed.add(doc.uri)
                self._report_failure(doc)
        elif doc.uri in self._failed:
            self._report_ok(doc.uri)

    def closed(self, uri: str) -> None:
        if uri in self._failed:
            self._report_ok(uri)

    def _report_failure(self, doc: Document) -> None:
        message = failure_message(doc)
        if self.custom:
            self.server.protocol.notify(
                STATUS_METHOD, {"uri": doc.uri, "state": "error", "message": message}
            )
        elif doc.uri not in self._shown:
            self._shown.add(doc.uri)
            self.server.window_show_message(
                types.ShowMessageParams(type=types.MessageType.Error, message=message)
            )

    def _report_ok(self, uri: str) -> None:
        self._failed.discard(uri)
        if self.custom:
            self.server.protocol.notify(STATUS_METHOD, {"uri": uri, "state": "ok"})
