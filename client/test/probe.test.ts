// The probe against real processes: python3 on this machine and small fake interpreters.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { probePython } from "../src/probe";
import { isAtLeast } from "../src/pythonVersion";

function hasPython3(): boolean {
  try {
    execFileSync("python3", ["-c", "pass"]);
    return true;
  } catch {
    return false;
  }
}

function fakePython(body: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), "unleak-probe-"));
  const file = path.join(dir, "python");
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

const posix = process.platform !== "win32";

test("python3 on this machine answers the probe", { skip: !hasPython3() && "no python3" }, async () => {
  const facts = await probePython("python3", "useBundled", undefined);
  assert.ok(facts.version.length >= 2);
  assert.ok(isAtLeast(facts.version, [3, 0]));
  assert.notEqual(facts.executable, "");
  assert.equal(facts.unleak, null); // the bundled probe does not import unleak
});

test("a missing interpreter is 'not found'", async () => {
  await assert.rejects(probePython("/nonexistent/python3", "useBundled", undefined), /not found/);
});

test("an interpreter that fails says why (its last stderr line)", { skip: !posix }, async () => {
  const python = fakePython("echo 'Traceback ...' >&2\necho 'ImportError: broken install' >&2\nexit 1");
  await assert.rejects(probePython(python, "useBundled", undefined), /ImportError: broken install/);
});

test("an interpreter that hangs is given up on", { skip: !posix }, async () => {
  const python = fakePython("sleep 5");
  await assert.rejects(probePython(python, "useBundled", undefined, 200), /no answer within 0.2 s/);
});

test("an old interpreter's answer is parsed (the version check rejects it later)", { skip: !posix }, async () => {
  const python = fakePython(`echo '{"version": [2, 7, 18], "executable": "/usr/bin/python2", "unleak": null}'`);
  const facts = await probePython(python, "fromEnvironment", undefined);
  assert.deepEqual(facts.version, [2, 7, 18]);
  assert.equal(isAtLeast(facts.version), false);
});

test("Python 2, which has no -I option, is reported as too old", { skip: !posix }, async () => {
  const python = fakePython("echo 'Unknown option: -I' >&2\necho \"Try 'python -h' for more information.\" >&2\nexit 2");
  await assert.rejects(probePython(python, "useBundled", undefined), /too old to know the -I option/);
});
