import assert from "node:assert/strict";
import { test } from "node:test";
import { ProgressState } from "../src/progressState";

test("indexing while a progress of the server is active, with its latest message", () => {
  let changes = 0;
  const state = new ProgressState(() => (changes += 1));
  assert.equal(state.text(), undefined);
  state.begin("t1", "Indexing the project");
  assert.equal(state.text(), "Indexing the project");
  state.report("t1", "12/40 files");
  assert.equal(state.text(), "Indexing the project: 12/40 files");
  state.report("unknown", "ignored");
  state.end("t1");
  assert.equal(state.text(), undefined);
  state.end("t1"); // twice: no change
  assert.equal(changes, 3);
});

test("overlapping progresses: active until the last ends; a stopped server clears them", () => {
  const state = new ProgressState();
  state.begin(1, "Indexing");
  state.begin(2, "Reading trace report", "trace.json");
  assert.equal(state.text(), "Reading trace report: trace.json");
  state.end(2);
  assert.equal(state.text(), "Indexing");
  state.clear();
  assert.equal(state.text(), undefined);
});
