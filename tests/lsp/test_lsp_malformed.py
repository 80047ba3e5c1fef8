"""A message the server cannot read is logged in one line and skipped: no traceback on
stderr, no error notification, and the server answers the next message. Not JSON (or not
UTF-8), JSON that is no JSON-RPC message, a message whose params do not fit its method or
whose id is an object; a request among them is answered with a JSON-RPC error."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import IO, Any

import pytest

MALFORMED = [b'{"jsonrpc": "2.0", "id": 1, "method": ', b"\xff\xfe not utf-8 {}"]


def frame(body: bytes) -> bytes:
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def message(payload: dict[str, Any]) -> bytes:
    return frame(json.dumps(payload).encode())


def read_message(stream: IO[bytes]) -> dict[str, Any]:
    length = 0
    while True:
        line = stream.readline()
        assert line, "the server closed its output"
        if line in (b"\r\n", b"\n"):
            break
        name, _, value = line.decode("ascii").partition(":")
        if name.lower() == "content-length":
            length = int(value)
    result: dict[str, Any] = json.loads(stream.read(length))
    return result


def response_to(stream: IO[bytes], request_id: int) -> tuple[dict[str, Any], list[Any]]:
    """The response to ``request_id``, and the messages the server sent before it."""
    before = []
    while True:
        received = read_message(stream)
        if received.get("id") == request_id and "method" not in received:
            return received, before
        before.append(received)


def exchange(body: bytes) -> tuple[str, list[Any]]:
    """Start a server, initialize it, send ``body`` and then a request that must be answered;
    the server's stderr, and what it sent between ``body`` and that answer."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "unleak.lsp"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdin is not None and proc.stdout is not None
    try:
        initialize = {"processId": None, "rootUri": None, "capabilities": {}}
        proc.stdin.write(
            message({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": initialize})
        )
        proc.stdin.flush()
        reply, _ = response_to(proc.stdout, 1)
        assert "capabilities" in reply["result"]
        proc.stdin.write(message({"jsonrpc": "2.0", "method": "initialized", "params": {}}))
        proc.stdin.write(body)
        # Still serving: the next request is answered.
        proc.stdin.write(message({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}))
        proc.stdin.flush()
        reply, sent = response_to(proc.stdout, 2)
        assert reply.get("error") is None
        proc.stdin.write(message({"jsonrpc": "2.0", "method": "exit"}))
        proc.stdin.close()
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.stderr is not None
    stderr = proc.stderr.read().decode("utf-8", "replace")
    proc.stderr.close()
    proc.stdout.close()
    return stderr, sent


def logged(sent: list[Any]) -> list[str]:
    return [m["params"]["message"] for m in sent if m.get("method") == "window/logMessage"]


def assert_one_line(stderr: str, sent: list[Any], needle: str) -> str:
    """Logged in one line (stderr and the client's log), no traceback and no error
    notification; the line."""
    assert "Traceback" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if needle in line]
    assert len(lines) == 1, stderr
    # Nothing else of it on stderr (pygls' own lines, say).
    assert len([line for line in stderr.splitlines() if line.strip()]) == 1, stderr
    assert any(needle in text for text in logged(sent)), sent
    assert not [m for m in sent if m.get("method") == "window/showMessage"], sent
    return lines[0]


@pytest.mark.parametrize("body", MALFORMED, ids=["truncated-json", "not-utf-8"])
def test_malformed_message_is_logged_in_one_line(body: bytes) -> None:
    stderr, sent = exchange(frame(body))
    line = assert_one_line(stderr, sent, "not valid JSON")
    assert line.startswith("unleak-lsp WARNING: ignored a message from the client")


NOT_MESSAGES = [b"[1, 2]", b"42", b"null", b'"text"', b'{"id": 3, "method": "shutdown"}']


@pytest.mark.parametrize(
    "body", NOT_MESSAGES, ids=["array", "number", "null", "string", "no-jsonrpc"]
)
def test_json_that_is_no_json_rpc_message_is_logged_in_one_line(body: bytes) -> None:
    stderr, sent = exchange(frame(body))
    line = assert_one_line(stderr, sent, "is not a JSON-RPC message")
    assert line.startswith("unleak-lsp WARNING: ignored a message from the client that is not")
    # The message itself is quoted (shortened).
    assert json.loads(body) is None or str(json.loads(body))[:10] in line


def test_request_with_params_it_cannot_take_is_answered_with_an_error() -> None:
    hover = {"jsonrpc": "2.0", "id": 7, "method": "textDocument/hover", "params": {"bogus": 1}}
    stderr, sent = exchange(message(hover))
    line = assert_one_line(stderr, sent, "`textDocument/hover`")
    assert "cannot be read: required field missing @ message.params.text_document" in line
    # Answered, so the client does not wait for it: invalid params.
    (answer,) = [m for m in sent if m.get("id") == 7]
    assert answer["error"]["code"] == -32602
    assert "text_document" in answer["error"]["message"]


def test_unknown_request_without_params_is_answered_method_not_found() -> None:
    stderr, sent = exchange(message({"jsonrpc": "2.0", "id": 8, "method": "unleak/nothing"}))
    assert_one_line(stderr, sent, "`unleak/nothing`")
    (answer,) = [m for m in sent if m.get("id") == 8]
    assert answer["error"]["code"] == -32601


def test_notification_with_bad_params_is_logged_in_one_line() -> None:
    did_open = {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"bogus": 1}}
    stderr, sent = exchange(message(did_open))
    line = assert_one_line(stderr, sent, "`textDocument/didOpen`")
    assert "required field missing @ message.params.text_document" in line
    assert not [m for m in sent if "id" in m and "method" not in m]  # nothing to answer


def test_request_whose_id_is_an_object_is_logged_in_one_line() -> None:
    odd = {"jsonrpc": "2.0", "id": {"x": 1}, "method": "textDocument/hover", "params": {}}
    stderr, sent = exchange(message(odd))
    line = assert_one_line(stderr, sent, "`textDocument/hover`")
    assert "its id is neither a number nor a string" in line
