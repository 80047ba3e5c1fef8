import assert from "node:assert/strict";
import * as path from "node:path";
import { test } from "node:test";
import {
  cliLauncherPath,
  DEFAULT_TRACE_COMMAND,
  displayCommand,
  parseTraceCommand,
  substitute,
  traceCommandLine,
  traceCwd,
} from "../src/traceCommandLine";

const variables = {
  interpreter: "/proj/.venv/bin/python",
  workspaceFolder: "/proj",
  home: "/home/me",
  env: { TOX_ENV: "py311" },
};

test("the default command is the project's pytest on the resolved interpreter", () => {
  assert.deepEqual(DEFAULT_TRACE_COMMAND, ["${interpreter}", "-m", "pytest"]);
  for (const unset of [undefined, null, []]) {
    const command = parseTraceCommand(unset);
    assert.ok(Array.isArray(command));
    assert.deepEqual(command.map((a) => substitute(a, variables)), ["/proj/.venv/bin/python", "-m", "pytest"]);
  }
});

test("variables are substituted inside arguments; unknown ones are left alone", () => {
  assert.equal(substitute("${workspaceFolder}/tests", variables), "/proj/tests");
  assert.equal(substitute("-e${env:TOX_ENV}", variables), "-epy311");
  assert.equal(substitute("${env:NOT_SET}", variables), "");
  assert.equal(substitute("${userHome}/x", variables), "/home/me/x");
  assert.equal(substitute("${file}", variables), "${file}");
  assert.equal(substitute("${workspaceFolder}", { ...variables, workspaceFolder: undefined }), "${workspaceFolder}");
});

test("a malformed command setting is a message, not a run", () => {
  assert.match((parseTraceCommand("pytest") as { problem: string }).problem, /list of strings/);
  assert.match((parseTraceCommand(["python", 3]) as { problem: string }).problem, /list of strings/);
  assert.match((parseTraceCommand([" "]) as { problem: string }).problem, /program/);
  assert.deepEqual(parseTraceCommand(["tox", "-e", "py"]), ["tox", "-e", "py"]);
});

test("the bundled unleak traces through the CLI launcher, isolated like the server", () => {
  const line = traceCommandLine("/usr/bin/python3", "useBundled", "/ext", ["/proj/.venv/bin/python", "-m", "pytest"]);
  assert.deepEqual(line, {
    command: "/usr/bin/python3",
    args: ["-I", path.join("/ext", "bundled", "tool", "cli.py"), "trace", "--progress", "--", "/proj/.venv/bin/python", "-m", "pytest"],
  });
  assert.equal(cliLauncherPath("/ext"), path.join("/ext", "bundled", "tool", "cli.py"));
});

test("fromEnvironment traces with the environment's own unleak", () => {
  assert.deepEqual(traceCommandLine("/proj/.venv/bin/python", "fromEnvironment", "/ext", ["pytest", "-x"]), {
    command: "/proj/.venv/bin/python",
    args: ["-m", "unleak", "trace", "--progress", "--", "pytest", "-x"],
  });
});

test("the working directory: the setting from the workspace folder, else the folder, else home", () => {
  assert.equal(traceCwd("", "/proj", "/home/me"), "/proj");
  assert.equal(traceCwd("  ", undefined, "/home/me"), "/home/me");
  assert.equal(traceCwd("sub/pkg", "/proj", "/home/me"), path.resolve("/proj", "sub/pkg"));
  assert.equal(traceCwd("/elsewhere", "/proj", "/home/me"), path.resolve("/elsewhere"));
});

test("command lines are logged as a shell would show them", () => {
  assert.equal(
    displayCommand({ command: "/usr/bin/python3", args: ["-c", "open('x')", "a b"] }),
    "/usr/bin/python3 -c 'open('\\''x'\\'')' 'a b'",
  );
});
