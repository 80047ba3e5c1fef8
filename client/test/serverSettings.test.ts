import assert from "node:assert/strict";
import { test } from "node:test";
import { effectiveValue, serverSettings, userValue, type Inspection } from "../src/serverSettings";

/** An inspect() over a table of key -> inspection, with package.json-like defaults. */
function inspector(table: Record<string, Inspection>) {
  const defaults: Record<string, unknown> = {
    enable: true,
    select: null,
    ignore: null,
    severity: {},
    unlikelySeverity: {},
    extraResources: null,
    maxFileSize: 2097152,
    showSyntaxErrors: true,
    logLevel: "info",
    interpreter: "",
    importStrategy: "useBundled",
    "trace.server": "off",
  };
  return (key: string): Inspection | undefined =>
    key in defaults || key in table ? { defaultValue: defaults[key], ...table[key] } : undefined;
}

test("defaults alone send nothing, so pyproject.toml [tool.unleak] stays in charge", () => {
  assert.deepEqual(serverSettings(inspector({})), {});
});

test("only settings the user set are sent, under the server's names", () => {
  const settings = serverSettings(
    inspector({
      select: { globalValue: ["UL1"] },
      ignore: { workspaceValue: [] }, // an explicit empty list is meaningful: ignore nothing
      severity: { workspaceFolderValue: { UL108: "error" } },
      extraResources: { globalValue: [{ factory: "mylib.connect", release: ["close"], withReleases: false }] },
      logLevel: { globalValue: "debug" },
      maxFileSize: { workspaceValue: 1000 },
      enable: { workspaceValue: false },
      interpreter: { globalValue: "/usr/bin/python3" },
      importStrategy: { globalValue: "fromEnvironment" },
      "trace.server": { globalValue: "verbose" },
    }),
  );
  assert.deepEqual(settings, {
    enable: false,
    select: ["UL1"],
    ignore: [],
    severity: { UL108: "error" },
    extraResources: [{ factory: "mylib.connect", release: ["close"], withReleases: false }],
    logLevel: "debug",
    maxFileSize: 1000,
  });
});

test("the most specific scope wins; null and {} count as unset", () => {
  const inspect = inspector({
    select: { globalValue: ["UL1"], workspaceValue: ["UL10"], workspaceFolderValue: ["UL101"] },
    ignore: { globalValue: ["UL108"], workspaceValue: null },
    severity: { globalValue: {} },
    logLevel: { globalValue: "warning", globalLanguageValue: "debug" },
  });
  assert.deepEqual(serverSettings(inspect), { select: ["UL101"], ignore: ["UL108"], logLevel: "debug" });
});

test("untrusted: only the user's own values count", () => {
  const interpreter: Inspection = { defaultValue: "", globalValue: "/usr/bin/python3", workspaceValue: "./evil/python" };
  assert.equal(effectiveValue(interpreter, true), "./evil/python");
  assert.equal(effectiveValue(interpreter, false), "/usr/bin/python3");
  assert.equal(effectiveValue({ defaultValue: "", workspaceFolderValue: "./evil" }, false), "");
  assert.equal(effectiveValue({ defaultValue: "useBundled", workspaceValue: "fromEnvironment" }, false), "useBundled");
  assert.equal(userValue(undefined), undefined);
});

test("showSyntaxErrors: false is sent (the server then publishes no UL001), the default is not", () => {
  assert.deepEqual(serverSettings(inspector({ showSyntaxErrors: { globalValue: false } })), { showSyntaxErrors: false });
  assert.deepEqual(serverSettings(inspector({ showSyntaxErrors: { workspaceValue: true } })), { showSyntaxErrors: true });
});

test("unlikelySeverity is sent when set, like severity; {} is not", () => {
  assert.deepEqual(serverSettings(inspector({ unlikelySeverity: { workspaceValue: { UL102: "hint" } } })), {
    unlikelySeverity: { UL102: "hint" },
  });
  assert.deepEqual(serverSettings(inspector({ unlikelySeverity: { globalValue: {} } })), {});
});
