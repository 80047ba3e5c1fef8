import assert from "node:assert/strict";
import { test } from "node:test";
import { statusText } from "../src/statusText";

test("the status item shows the server's version and Python when running", () => {
  const text = statusText({ kind: "running", serverVersion: "0.1.0", python: "3.11.7", strategy: "useBundled" });
  assert.deepEqual(text, {
    text: "unleak 0.1.0",
    detail: "server bundled, Python 3.11.7",
    severity: "information",
    busy: false,
  });
  assert.equal(
    statusText({ kind: "running", serverVersion: undefined, python: "3.12.1", strategy: "fromEnvironment" }).detail,
    "server from the environment, Python 3.12.1",
  );
});

test("starting is busy, failure is an error", () => {
  assert.equal(statusText({ kind: "starting" }).busy, true);
  const failed = statusText({ kind: "failed", message: "no suitable Python" });
  assert.equal(failed.severity, "error");
  assert.equal(failed.detail, "no suitable Python");
  assert.equal(statusText({ kind: "stopped" }).severity, "warning");
});
