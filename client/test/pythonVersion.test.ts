import assert from "node:assert/strict";
import { test } from "node:test";
import { formatVersion, isAtLeast, parseProbeOutput, probeScript } from "../src/pythonVersion";

test("versions compare component by component against 3.10", () => {
  assert.equal(isAtLeast([3, 10, 0]), true);
  assert.equal(isAtLeast([3, 13]), true);
  assert.equal(isAtLeast([4, 0, 0]), true);
  assert.equal(isAtLeast([3, 9, 18]), false);
  assert.equal(isAtLeast([2, 7, 18]), false);
  // 3.9 < 3.10 although "3.9" > "3.10" as strings
  assert.equal(isAtLeast([3, 9], [3, 10]), false);
  assert.equal(isAtLeast([3, 100], [3, 10]), true);
});

test("the probe output is parsed from its last non-empty line", () => {
  const facts = parseProbeOutput(
    'some banner from sitecustomize\n{"version": [3, 11, 7], "executable": "/usr/bin/python3", "unleak": null}\n\n',
  );
  assert.deepEqual(facts, { version: [3, 11, 7], executable: "/usr/bin/python3", unleak: null });
  assert.equal(parseProbeOutput('{"version": [3, 12, 1], "executable": "", "unleak": "0.1.0"}').unleak, "0.1.0");
});

test("probe output that is not the probe's is a readable error", () => {
  assert.throws(() => parseProbeOutput(""), /printed nothing/);
  assert.throws(() => parseProbeOutput("Python 3.11.7"), /unexpected: Python 3.11.7/);
  assert.throws(() => parseProbeOutput('{"version": "3.11"}'), /no version/);
  assert.throws(() => parseProbeOutput("[1, 2]"), /no version/);
});

test("the probe imports unleak only when asked", () => {
  assert.match(probeScript(true), /import unleak/);
  assert.doesNotMatch(probeScript(false), /import unleak/);
  assert.equal(formatVersion([3, 10, 2]), "3.10.2");
});
