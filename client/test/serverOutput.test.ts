import assert from "node:assert/strict";
import { test } from "node:test";
import { clientLineToLog, serverStderrToShow } from "../src/serverOutput";

test("the stderr copy of a server log record is dropped (it also came as logMessage)", () => {
  assert.equal(serverStderrToShow("unleak-lsp DEBUG: unleak 0.1.0: position encoding utf-16\n"), "");
  assert.equal(
    serverStderrToShow(
      "unleak-lsp ERROR: internal error analysing file:///a.py\nTraceback (most recent call last):\n" +
        '  File "x.py", line 1, in f\nRuntimeError: boom\nunleak-lsp INFO: next\n',
    ),
    "",
  );
});

test("other output is kept: the launcher's messages and a crash", () => {
  const launcher = "unleak: the language server needs Python 3.10 or newer, not 3.8.18 (/usr/bin/python3.8)\n";
  assert.equal(serverStderrToShow(launcher), launcher);
  const crash = 'Traceback (most recent call last):\n  File "server.py", line 3\nImportError: no module\n';
  assert.equal(serverStderrToShow(crash), crash);
  // Output before a record in the same chunk stays.
  assert.equal(serverStderrToShow("partial line\nunleak-lsp INFO: x\n"), "partial line\n");
});

test("late cancel warnings from pygls are dropped", () => {
  assert.equal(
    serverStderrToShow('Cancel notification for unknown message id "16"\nCancel notification for unknown message id "18"\n'),
    "",
  );
  assert.equal(serverStderrToShow('x\nCancel notification for unknown message id "7"\ny\n'), "x\ny\n");
});

test("a clean exit of the server process is information, other exits stay errors", () => {
  assert.deepEqual(clientLineToLog("[Error - 10:12:01 AM] Server process exited with code 0."), {
    level: "info",
    text: "the server process exited (code 0)",
  });
  assert.deepEqual(clientLineToLog("[Error - 10:12:01] Server process exited with code 1."), {
    level: "error",
    text: "Server process exited with code 1.",
  });
  assert.deepEqual(clientLineToLog("[Error - 10:12:01] Server process exited with signal SIGKILL."), {
    level: "error",
    text: "Server process exited with signal SIGKILL.",
  });
  assert.equal(clientLineToLog("Server process exited with code 0."), undefined);
});

test("the client's lines are logged at their own level, without its level and time", () => {
  // A server record sent as window/logMessage, traceback included.
  const record = "internal error analysing file:///a.py (version 1)\nTraceback (most recent call last):\nRuntimeError: boom";
  assert.deepEqual(clientLineToLog(`[Error - 1:42:45 AM] ${record}`), { level: "error", text: record });
  assert.deepEqual(clientLineToLog("[Warn  - 1:42:45 AM] showSyntaxErrors: expected a boolean"), {
    level: "warn",
    text: "showSyntaxErrors: expected a boolean",
  });
  assert.deepEqual(clientLineToLog("[Info  - 10:12:01] Connection to server got closed."), {
    level: "info",
    text: "Connection to server got closed.",
  });
  // Debug and trace stay as written (the channel's default level would hide them).
  assert.equal(clientLineToLog("[Debug - 10:12:01] unleak 0.1.0: position encoding utf-16"), undefined);
  assert.equal(clientLineToLog("[Trace - 10:12:01] Sending request"), undefined);
  // The server's data lines and anything else: as written.
  assert.equal(clientLineToLog("Params: {}"), undefined);
});
