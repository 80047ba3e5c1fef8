"""An internal error in a document's analysis is told to the user, not just logged: a client
that asks for them gets unleak/documentStatus notifications (error, then ok), any other
client one window/showMessage per document."""

from __future__ import annotations

import pytest
from lsprotocol import types
from unleak.lsp.doc_status import STATUS_METHOD

from .conftest import Starter, wait_until
from .test_lsp_diagnostics import LEAKY, URI, rng

pytestmark = pytest.mark.asyncio

FAULT = "explodes"
BAD = "file:///tmp/unleak-lsp-test/explodes.py"
OTHER_BAD = "file:///tmp/unleak-lsp-test/sub/explodes_too.py"


def errors(messages: list[types.ShowMessageParams]) -> list[str]:
    return [m.message for m in messages if m.type == types.MessageType.Error]


async def test_one_show_message_per_failing_document(start: Starter) -> None:
    s = await start(env={"UNLEAK_LSP_FAULT": FAULT})
    s.open(URI, LEAKY)
    assert len(await s.diagnostics(URI, 1)) == 1
    s.open(BAD, LEAKY)
    assert await s.diagnostics(BAD, 1) == []
    await wait_until(lambda: bool(errors(s.client.messages)), "a window/showMessage error")
    (message,) = errors(s.client.messages)
    assert message.startswith("unleak could not check explodes.py: an internal error")
    assert "leaks are not shown" in message and "log" in message
    # Failing again (each edit) does not repeat it; another failing document gets its own.
    v = s.change(BAD, types.TextEdit(rng(0, 0, 0, 0), "\n"))
    assert await s.diagnostics(BAD, v) == []
    # The log has the traceback once, then one line for the same error.
    await s.log_containing(f"internal error analysing {BAD} (version {v}) again: RuntimeError")
    failures = [m.message for m in s.client.log_messages if "explodes.py" in m.message]
    assert [m for m in failures if "Traceback" in m] == failures[:1], failures
    assert len(failures) == 2, failures
    s.open(OTHER_BAD, LEAKY)
    await s.diagnostics(OTHER_BAD, 1)
    await wait_until(lambda: len(errors(s.client.messages)) == 2, "a second showMessage")
    assert "explodes_too.py" in errors(s.client.messages)[1]
    assert not [m for m in s.client.messages if "Error in server" in m.message]


async def test_document_status_notifications(start: Starter) -> None:
    s = await start(
        env={"UNLEAK_LSP_FAULT": FAULT},
        experimental={"unleak": {"documentStatus": True}},
        record=(STATUS_METHOD,),
    )
    statuses = s.notifications[STATUS_METHOD]
    s.open(URI, LEAKY)
    assert len(await s.diagnostics(URI, 1)) == 1
    assert statuses == []  # a document that is fine says nothing
    # The fault marker typed into the text: its analysis fails.
    v = s.change(URI, types.TextEdit(rng(0, 0, 0, 0), f"# {FAULT}\n"))
    await s.diagnostics(URI, v)
    await wait_until(lambda: len(statuses) == 1, "an error status")
    (status,) = statuses
    assert status.uri == URI and status.state == "error"
    assert "could not check app.py" in status.message
    v = s.change(URI, types.TextEdit(rng(1, 0, 1, 0), "\n"))
    await s.diagnostics(URI, v)
    # Removed again: analysed, and the client is told it is fine.
    v = s.change(URI, types.TextEdit(rng(0, 0, 1, 0), ""))
    assert len(await s.diagnostics(URI, v)) == 1
    await wait_until(lambda: len(statuses) == 2, "an ok status")
    assert (statuses[1].uri, statuses[1].state) == (URI, "ok")
    # Closing a failing document clears its state too.
    s.open(BAD, LEAKY)
    await wait_until(lambda: len(statuses) == 3, "an error status for the second document")
    s.close(BAD)
    await wait_until(lambda: len(statuses) == 4, "an ok status on close")
    assert (statuses[3].uri, statuses[3].state) == (BAD, "ok")
    assert errors(s.client.messages) == []  # no showMessage for such a client
