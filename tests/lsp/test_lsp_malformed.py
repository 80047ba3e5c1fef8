"""A message that is not JSON (or not UTF-8) is logged in one line and skipped: no traceback
on stderr, no error notification, and the server answers the next message."""

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


@pytest.mark.parametrize("body", MALFORMED, ids=["truncated-json", "not-utf-8"])
def test_malformed_message_is_logged_in_one_line(body: bytes) -> None:
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
        proc.stdin.write(frame(body))
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
    assert "Traceback" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if "not valid JSON" in line]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("unleak-lsp WARNING: ignored a message from the client")
    # Logged to the client as well, but no error notification for it.
    logged = [m["params"]["message"] for m in sent if m.get("method") == "window/logMessage"]
    assert any("not valid JSON" in text for text in logged), sent
    assert not [m for m in sent if m.get("method") == "window/showMessage"], sent
