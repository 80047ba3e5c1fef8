import assert from "node:assert/strict";
import { test } from "node:test";
import { expandPath, resolveInterpreter, type ResolveDeps } from "../src/interpreter";
import type { PythonFacts } from "../src/pythonVersion";

/** A fake machine: which commands exist and what each says about itself. */
function deps(machine: Record<string, PythonFacts | Error>, overrides: Partial<ResolveDeps> = {}) {
  const probed: string[] = [];
  const value: ResolveDeps = {
    setting: "",
    pythonExtension: async () => undefined,
    pathCommands: ["python3", "python"],
    probe: async (command) => {
      probed.push(command);
      const answer = machine[command];
      if (answer === undefined) {
        throw new Error("not found");
      }
      if (answer instanceof Error) {
        throw answer;
      }
      return answer;
    },
    needUnleak: false,
    ...overrides,
  };
  return { deps: value, probed };
}

const py = (version: number[], unleak: string | null = null): PythonFacts => ({
  version,
  executable: `/usr/bin/python${version.slice(0, 2).join(".")}`,
  unleak,
});

test("the setting wins over everything else", async () => {
  const { deps: d, probed } = deps(
    { "/opt/py/bin/python": py([3, 12, 0]), python3: py([3, 11, 0]) },
    { setting: "/opt/py/bin/python", pythonExtension: async () => "/venv/bin/python" },
  );
  const result = await resolveInterpreter(d);
  assert.ok(result.ok);
  assert.equal(result.interpreter.command, "/opt/py/bin/python");
  assert.equal(result.interpreter.source, "setting");
  assert.deepEqual(probed, ["/opt/py/bin/python"]);
});

test("a bad setting is reported, not silently replaced by python3", async () => {
  const { deps: d, probed } = deps({ "/old/python": py([3, 8, 10]), python3: py([3, 11, 0]) }, { setting: "/old/python" });
  const result = await resolveInterpreter(d);
  assert.equal(result.ok, false);
  assert.ok(!result.ok);
  assert.equal(
    result.message,
    "unleak.interpreter is set to /old/python, which is Python 3.8.10 (unleak needs 3.10 or newer). " +
      "Point it at a Python 3.10 or newer, or clear it to use the Python extension's interpreter or python3 on PATH.",
  );
  assert.deepEqual(probed, ["/old/python"]);

  const missing = await resolveInterpreter(deps({}, { setting: "/nope/python" }).deps);
  assert.ok(!missing.ok);
  assert.match(missing.message, /^unleak\.interpreter is set to \/nope\/python, which was not found\./);
});

test("the Python extension's environment comes before PATH", async () => {
  const { deps: d } = deps(
    { "/proj/.venv/bin/python": py([3, 13, 0]), python3: py([3, 11, 0]) },
    { pythonExtension: async () => "/proj/.venv/bin/python" },
  );
  const result = await resolveInterpreter(d);
  assert.ok(result.ok);
  assert.equal(result.interpreter.source, "pythonExtension");
  assert.equal(result.interpreter.command, "/proj/.venv/bin/python");
});

test("a too old or failing Python extension environment falls back to PATH, with a note", async () => {
  const { deps: d, probed } = deps(
    { "/proj/.venv/bin/python": py([3, 9, 1]), python3: py([3, 11, 0]) },
    { pythonExtension: async () => "/proj/.venv/bin/python" },
  );
  const result = await resolveInterpreter(d);
  assert.ok(result.ok);
  assert.equal(result.interpreter.command, "python3");
  assert.equal(result.interpreter.source, "path");
  assert.deepEqual(probed, ["/proj/.venv/bin/python", "python3"]);
  assert.match(result.notes.join("\n"), /\/proj\/.venv\/bin\/python is Python 3\.9\.1/);

  const broken = await resolveInterpreter(
    deps({ python3: py([3, 10, 0]) }, { pythonExtension: async () => Promise.reject(new Error("API gone")) }).deps,
  );
  assert.ok(broken.ok);
  assert.match(broken.notes[0] ?? "", /the Python extension gave no interpreter: API gone/);
});

test("PATH commands are tried in order", async () => {
  const result = await resolveInterpreter(deps({ python3: new Error("Permission denied"), python: py([3, 10, 4]) }).deps);
  assert.ok(result.ok);
  assert.equal(result.interpreter.command, "python");
  assert.deepEqual(result.notes, ["python3 did not run: Permission denied"]);
});

test("no Python at all gives one clear message naming what was tried", async () => {
  const result = await resolveInterpreter(deps({ python: py([2, 7, 18]) }).deps);
  assert.ok(!result.ok);
  assert.equal(
    result.message,
    "unleak needs Python 3.10 or newer to run its language server and found none: " +
      "python3 was not found; python is Python 2.7.18 (unleak needs 3.10 or newer). Install one, or set unleak.interpreter.",
  );
});

test("fromEnvironment needs an interpreter that imports unleak", async () => {
  const machine = { "/venv/bin/python": py([3, 12, 0]), python3: py([3, 11, 0], "0.1.0") };
  const { deps: d } = deps(machine, { needUnleak: true, pythonExtension: async () => "/venv/bin/python" });
  const result = await resolveInterpreter(d);
  assert.ok(result.ok);
  assert.equal(result.interpreter.command, "python3");
  assert.match(result.notes[0] ?? "", /cannot import unleak/);

  const none = await resolveInterpreter(deps({ python3: py([3, 11, 0]) }, { needUnleak: true }).deps);
  assert.ok(!none.ok);
  assert.match(none.message, /with unleak installed/);
});

test("path settings expand ~, ${userHome}, ${workspaceFolder} and ${env:NAME}", () => {
  const context = { workspaceFolder: "/work/proj", home: "/home/me", env: { PYENV: "/opt/pyenv" } };
  assert.equal(expandPath("~/venv/bin/python", context), "/home/me/venv/bin/python");
  assert.equal(expandPath("${workspaceFolder}/.venv/bin/python", context), "/work/proj/.venv/bin/python");
  assert.equal(expandPath("${userHome}/py", context), "/home/me/py");
  assert.equal(expandPath("${env:PYENV}/shims/python", context), "/opt/pyenv/shims/python");
  assert.equal(expandPath("${env:MISSING}python3", context), "python3");
  assert.equal(expandPath("  /usr/bin/python3 ", context), "/usr/bin/python3");
  // No folder open: left as written, so the error message shows what the user typed.
  assert.equal(expandPath("${workspaceFolder}/py", { ...context, workspaceFolder: undefined }), "${workspaceFolder}/py");
});
