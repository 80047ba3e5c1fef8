import assert from "node:assert/strict";
import { test } from "node:test";
import { serverStderrToShow } from "../src/serverOutput";

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
