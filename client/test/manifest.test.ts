// package.json against the code: settings, commands and version stay in sync.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { Commands } from "../src/commandIds";
import { CLIENT_ID } from "../src/selector";
import { RESTART_KEYS, SERVER_KEYS } from "../src/serverSettings";
import { DEFAULT_TRACE_COMMAND, TRACE_KEYS } from "../src/traceCommandLine";

// Tests run from the repository root (npm test, scripts/test.sh).
const root = process.cwd();
const manifest = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as {
  version: string;
  main: string;
  activationEvents: string[];
  engines: { vscode: string };
  capabilities: { untrustedWorkspaces: { restrictedConfigurations: string[] } };
  contributes: {
    commands: { command: string; title: string }[];
    configuration: {
      properties: Record<string, { description?: string; markdownDescription?: string; default?: unknown }>;
    };
  };
};
const properties = manifest.contributes.configuration.properties;

test("every server setting and every client setting is contributed, with a description", () => {
  const expected = [
    ...SERVER_KEYS.map((key) => `unleak.${key}`),
    ...RESTART_KEYS,
    ...TRACE_KEYS,
    `${CLIENT_ID}.trace.server`,
  ].sort();
  assert.deepEqual(Object.keys(properties).sort(), expected);
  for (const [key, schema] of Object.entries(properties)) {
    assert.ok((schema.description ?? schema.markdownDescription ?? "").length > 10, `${key} has no description`);
  }
});

test("the server knows every key the client sends", () => {
  const settingsPy = readFileSync(path.join(root, "server", "unleak", "lsp", "settings.py"), "utf8");
  const clientKeys = /_CLIENT_KEYS = \(([^)]*)\)/s.exec(settingsPy);
  assert.ok(clientKeys, "_CLIENT_KEYS not found in settings.py");
  const known = [...(clientKeys[1] ?? "").matchAll(/"(\w+)"/g)].map((m) => m[1]);
  assert.deepEqual([...SERVER_KEYS].sort(), known.sort());
});

test("the commands in package.json are the ones registered", () => {
  assert.deepEqual(
    manifest.contributes.commands.map((c) => c.command).sort(),
    Object.values(Commands).sort(),
  );
});

test("the extension's version is the Python package's", () => {
  const init = readFileSync(path.join(root, "server", "unleak", "__init__.py"), "utf8");
  assert.equal(manifest.version, /__version__ = "([^"]+)"/.exec(init)?.[1]);
});

test("it activates on Python files and notebooks and runs the bundle", () => {
  assert.ok(manifest.activationEvents.includes("onLanguage:python"));
  assert.ok(manifest.activationEvents.includes("onNotebook:jupyter-notebook"));
  assert.equal(manifest.main, "./dist/extension.js");
});

test("the trace command and its settings: default pytest, restricted in untrusted workspaces", () => {
  const trace = manifest.contributes.commands.find((c) => c.command === Commands.traceRun);
  assert.equal(trace?.title, "Trace leaks while running…");
  assert.deepEqual(properties["unleak.trace.command"]?.default, DEFAULT_TRACE_COMMAND);
  assert.equal(properties["unleak.trace.cwd"]?.default, "");
  for (const key of [...RESTART_KEYS, ...TRACE_KEYS]) {
    assert.ok(manifest.capabilities.untrustedWorkspaces.restrictedConfigurations.includes(key), key);
  }
  // Contributed commands activate the extension by themselves from VS Code 1.74.
  const [major, minor] = (/(\d+)\.(\d+)/.exec(manifest.engines.vscode) ?? []).slice(1).map(Number);
  assert.ok((major ?? 0) > 1 || (minor ?? 0) >= 74, manifest.engines.vscode);
});
