import assert from "node:assert/strict";
import * as path from "node:path";
import { test } from "node:test";
import { launcherPath, parseImportStrategy, probeCommand, serverCommand } from "../src/serverCommand";

test("the bundled server runs the launcher in isolated mode", () => {
  const line = serverCommand("/usr/bin/python3", "useBundled", "/ext");
  assert.deepEqual(line, { command: "/usr/bin/python3", args: ["-I", path.join("/ext", "bundled", "tool", "server.py")] });
  assert.equal(launcherPath("/ext"), path.join("/ext", "bundled", "tool", "server.py"));
});

test("fromEnvironment runs the environment's own unleak", () => {
  assert.deepEqual(serverCommand("python3", "fromEnvironment", "/ext"), {
    command: "python3",
    args: ["-m", "unleak", "server"],
  });
});

test("the probe is isolated for the bundled server and imports unleak only for fromEnvironment", () => {
  const bundled = probeCommand("python3", "useBundled");
  assert.deepEqual(bundled.args.slice(0, 2), ["-I", "-c"]);
  assert.doesNotMatch(bundled.args[2] ?? "", /import unleak/);
  const environment = probeCommand("python3", "fromEnvironment");
  assert.equal(environment.args[0], "-c");
  assert.match(environment.args[1] ?? "", /import unleak/);
});

test("unknown import strategies fall back to the bundled server", () => {
  assert.equal(parseImportStrategy("fromEnvironment"), "fromEnvironment");
  assert.equal(parseImportStrategy("useBundled"), "useBundled");
  assert.equal(parseImportStrategy("somethingElse"), "useBundled");
  assert.equal(parseImportStrategy(undefined), "useBundled");
});
