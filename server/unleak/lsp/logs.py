"""Logging: every record goes to stderr and, once the client is connected, to
``window/logMessage``; the level comes from the ``logLevel`` setting. A message from the
client that is not JSON is logged in one line (pygls would print a traceback) and skipped."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sys
import threading
from typing import TYPE_CHECKING

from lsprotocol import types

if TYPE_CHECKING:
    from pygls.lsp.server import LanguageServer

logger = logging.getLogger("unleak.lsp")

_MESSAGE_TYPES = (
    (logging.ERROR, types.MessageType.Error),
    (logging.WARNING, types.MessageType.Warning),
    (logging.INFO, types.MessageType.Info),
)


class ClientLogHandler(logging.Handler):
    """Sends records to the client as ``window/logMessage``, from any thread."""

    def __init__(self, server: LanguageServer) -> None:
        super().__init__()
        self.server = server
        self.loop: asyncio.AbstractEventLoop | None = None
        self.loop_thread: int | None = None

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.loop_thread = threading.get_ident()

    def emit(self, record: logging.LogRecord) -> None:
        loop = self.loop
        if loop is None or loop.is_closed():
            return
        try:
            message = self.format(record)
        except Exception:  # pragma: no cover - a broken record must not break the server
            return
        kind = types.MessageType.Log
        for level, message_type in _MESSAGE_TYPES:
            if record.levelno >= level:
                kind = message_type
                break
        params = types.LogMessageParams(type=kind, message=message)
        if threading.get_ident() == self.loop_thread:
            self._send(params)
        else:
            loop.call_soon_threadsafe(self._send, params)

    def _send(self, params: types.LogMessageParams) -> None:
        # If the connection is gone, stderr still has the record.
        with contextlib.suppress(Exception):
            self.server.window_log_message(params)


class MalformedMessages(logging.Filter):
    """On pygls' reader: its traceback for a message that is not JSON (or not UTF-8)
    becomes one line of our log; the reader goes on with the next message."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, (json.JSONDecodeError, UnicodeDecodeError)):
            logger.warning("ignored a message from the client that is not valid JSON: %s", error)
            return False
        return True


# The logger of pygls' message reader (pygls.io_.run_async logs through it).
PYGLS_READER = "pygls.server"


def setup_logging(server: LanguageServer) -> ClientLogHandler:
    logger.propagate = False
    logger.handlers.clear()
    stderr = logging.StreamHandler(sys.stderr)
    stderr.setFormatter(logging.Formatter("unleak-lsp %(levelname)s: %(message)s"))
    client = ClientLogHandler(server)
    client.setFormatter(logging.Formatter("%(message)s"))
    logger.addHandler(stderr)
    logger.addHandler(client)
    logger.setLevel(logging.INFO)
    reader = logging.getLogger(PYGLS_READER)
    for old in [f for f in reader.filters if isinstance(f, MalformedMessages)]:
        reader.removeFilter(old)
    reader.addFilter(MalformedMessages())
    return client
