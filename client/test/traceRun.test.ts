// The real `unleak trace` (this checkout's .venv) in a temporary project, and the summary
// the extension builds from its report.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { after, test } from "node:test";
import { traceCommandLine } from "../src/traceCommandLine";
import { startTrace } from "../src/traceRun";

// Tests run from the repository root (npm test, scripts/test.sh).
const venvPython = path.join(process.cwd(), ".venv", "bin", "python");
const skip = process.platform === "win32" ? "POSIX paths" : !existsSync(venvPython) && "no .venv (scripts/setup.sh)";

const projects: string[] = [];
after(() => {
  for (const dir of projects) {
    rmSync(dir, { recursive: true, force: true });
  }
});

function project(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "unleak-trace-run-"));
  projects.push(dir);
  writeFileSync(path.join(dir, "pyproject.toml"), "[project]\nname = 'demo'\nversion = '0'\n");
  return dir;
}

function run(cwd: string, command: string[]) {
  const lines: string[] = [];
  const line = traceCommandLine(venvPython, "fromEnvironment", "/unused", command);
  const trace = startTrace({ line, cwd, env: process.env, onLine: (stream, text) => lines.push(`${stream}: ${text}`) });
  return { trace, lines };
}

test("a real trace: the report's leak becomes the summary", { skip, timeout: 120_000 }, async () => {
  const cwd = project();
  const { trace, lines } = run(cwd, ["python3", "-c", "open('/etc/hostname')"]);
  const result = await trace.result;
  assert.equal(result.end, "done", result.message);
  assert.equal(result.outcome.exitCode, 0);
  const report = path.join(cwd, ".unleak", "trace.json");
  assert.equal(result.reportPath, report);
  const leaks = (JSON.parse(readFileSync(report, "utf8")) as { leaks: { kind: string }[] }).leaks;
  assert.deepEqual(leaks.map((leak) => leak.kind), ["file"]);
  // The -c code is no project file: the leak has no project frame, so it is not compared.
  assert.equal(result.message, "unleak trace: 1 runtime leak site, 0 confirmed, 0 missed, 1 not compared with the static analysis");
  assert.ok(lines.includes("stderr: Report: .unleak/trace.json"), lines.join("\n"));
});

test("a real trace of a project file that fails: confirmed leak, and the exit code", { skip, timeout: 120_000 }, async () => {
  const cwd = project();
  writeFileSync(
    path.join(cwd, "leaky.py"),
    "import sys\n\n\ndef read(p):\n    f = open(p)\n    return f.read()\n\n\nread('/etc/hostname')\nsys.exit(4)\n",
  );
  const { trace } = run(cwd, ["python3", "leaky.py"]);
  const result = await trace.result;
  assert.equal(result.end, "done", result.message);
  assert.equal(result.outcome.exitCode, 4);
  assert.equal(result.message, "unleak trace: 1 runtime leak site, 1 confirmed, 0 missed; the command exited with code 4");
});

test("cancelling a real trace ends it and says so", { skip, timeout: 120_000 }, async () => {
  const cwd = project();
  const { trace, lines } = run(cwd, ["python3", "-c", "import time; print('ready', flush=True); time.sleep(60)"]);
  for (let waited = 0; !lines.includes("stdout: ready") && waited < 60_000; waited += 50) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await trace.cancel();
  const result = await trace.result;
  assert.equal(result.end, "cancelled");
  assert.match(result.message, /^unleak trace: cancelled/);
});

test("unleak trace that cannot run its usage is a failure with its last line", { skip, timeout: 60_000 }, async () => {
  const { trace } = run(project(), []);
  const result = await trace.result;
  assert.equal(result.end, "failed");
  assert.match(result.message, /^unleak trace failed \(exit code 2\): .*no command to trace/);
});
