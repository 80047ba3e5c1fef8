"""Messages from the client that are JSON but that the server cannot read: not a JSON-RPC
message at all (an array, a number, an object with no ``jsonrpc``), a message whose params do
not fit its method, or one whose id is neither a number nor a string.

pygls prints a traceback on stderr for each and sends the client an error notification;
here each is one line of the log, and a request among them is answered with a JSON-RPC error
(so the client does not wait for it forever). Messages that are not JSON at all are logs.py's.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from cattrs import ClassValidationError, transform_error
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams, JsonRpcMethodNotFound

logger = logging.getLogger("unleak.lsp")

# pygls' record for a message it could not structure (its traceback): ours replaces it.
PYGLS_PROTOCOL = "pygls.protocol.json_rpc"
_DESERIALIZE = "Unable to deserialize message"
# A malformed message is logged with at most this much of its text.
_SHOWN = 120


@dataclass(frozen=True)
class Unreadable:
    """A message that pygls could not read, in its place: why, and the id to answer when it
    is a request."""

    reason: str
    method: str | None = None
    id: int | str | None = None


def _valid_id(value: object) -> bool:
    return isinstance(value, (int, str)) and not isinstance(value, bool)


def bad_id(data: dict[str, Any]) -> Unreadable | None:
    """The message, if its id is present but neither a number, a string nor null."""
    if "id" not in data or data["id"] is None or _valid_id(data["id"]):
        return None
    method = data.get("method")
    return Unreadable(
        "its id is neither a number nor a string", method if isinstance(method, str) else None
    )


def unreadable(data: dict[str, Any], error: JsonRpcException) -> Unreadable:
    """What to keep of a message pygls failed to structure (``error`` from it)."""
    cause = error.__cause__
    if isinstance(cause, ClassValidationError):
        reason = "; ".join(transform_error(cause, path="message"))
    else:
        text = str(cause or error)
        reason = text.splitlines()[0] if text else type(cause or error).__name__
    method = data.get("method")
    msg_id = data.get("id")
    return Unreadable(
        reason,
        method if isinstance(method, str) else None,
        msg_id if _valid_id(msg_id) else None,
    )


def shorten(value: object) -> str:
    text = repr(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."


def answer(unread: Unreadable, known: bool) -> JsonRpcException | None:
    """The error to answer an unreadable request with (None for a notification): an unknown
    method is not found, a known one got params it cannot take."""
    if unread.id is None or unread.method is None:
        return None
    if not known:
        return JsonRpcMethodNotFound(message=f"Method Not Found: {unread.method}")
    return JsonRpcInvalidParams(message=f"Invalid params: {unread.reason}")


def log_unreadable(unread: Unreadable) -> None:
    what = f"`{unread.method}`" if unread.method else "a message"
    logger.warning("ignored %s from the client that cannot be read: %s", what, unread.reason)


def log_not_a_message(value: object) -> None:
    logger.warning(
        "ignored a message from the client that is not a JSON-RPC message: %s", shorten(value)
    )


class DeserializeTraceback(logging.Filter):
    """On pygls' protocol logger: drops its traceback for a message it could not structure
    (the message is logged in one line when it is handled)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(_DESERIALIZE)


def install_filter() -> None:
    protocol = logging.getLogger(PYGLS_PROTOCOL)
    for old in [f for f in protocol.filters if isinstance(f, DeserializeTraceback)]:
        protocol.removeFilter(old)
    protocol.addFilter(DeserializeTraceback())
