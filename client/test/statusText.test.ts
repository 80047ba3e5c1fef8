import assert from "node:assert/strict";
import { test } from "node:test";
import { statusText } from "../src/statusText";

const running = { kind: "running", serverVersion: "0.1.0", python: "3.11.7", strategy: "useBundled" } as const;

test("ready: the state in words and the Python the server runs on", () => {
  assert.deepEqual(statusText({ server: running }), {
    text: "unleak: ready",
    detail: "Python 3.11.7, unleak 0.1.0 bundled",
    severity: "information",
    busy: false,
  });
  assert.equal(
    statusText({ server: { kind: "running", serverVersion: undefined, python: "3.12.1", strategy: "fromEnvironment" } }).detail,
    "Python 3.12.1, unleak from the environment",
  );
});

test("starting names the Python once it is known, and is busy", () => {
  assert.deepEqual(statusText({ server: { kind: "starting" } }), {
    text: "unleak: starting",
    detail: "looking for Python…",
    severity: "information",
    busy: true,
  });
  assert.equal(statusText({ server: { kind: "starting", python: "3.10.4" } }).detail, "Python 3.10.4");
});

test("indexing while the server reports progress", () => {
  const text = statusText({ server: running, indexing: "Indexing the project: 12/40 files" });
  assert.equal(text.text, "unleak: indexing");
  assert.equal(text.detail, "Indexing the project: 12/40 files; Python 3.11.7, unleak 0.1.0 bundled");
  assert.equal(text.busy, true);
});

test("error when a document could not be analysed, naming it (over indexing)", () => {
  const text = statusText({ server: running, indexing: "Indexing", failedDocuments: ["app.py"] });
  assert.equal(text.text, "unleak: error");
  assert.equal(text.severity, "error");
  assert.match(text.detail, /^could not check app\.py \(internal error: see the logs\); Python 3\.11\.7/);
  const many = statusText({ server: running, failedDocuments: ["a.py", "b.py", "c.py", "d.py", "e.py"] });
  assert.match(many.detail, /^could not check a\.py, b\.py, c\.py and 2 more /);
});

test("a server that did not start is an error; a stopped one a warning", () => {
  const failed = statusText({ server: { kind: "failed", message: "no suitable Python" } });
  assert.deepEqual([failed.text, failed.detail, failed.severity], ["unleak: error", "no suitable Python", "error"]);
  const stopped = statusText({ server: { kind: "stopped" } });
  assert.deepEqual([stopped.text, stopped.severity], ["unleak: stopped", "warning"]);
});
