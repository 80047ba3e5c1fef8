// Bundles the extension (client/src/extension.ts -> dist/extension.js, node_modules inlined so
// the .vsix ships without them) and, with --tests, each client/test/*.test.ts into out/test/
// for `node --test`. Type checking is tsc's job (`npm run typecheck`).
import { build } from "esbuild";
import { readdirSync, rmSync } from "node:fs";

const args = new Set(process.argv.slice(2));
const production = args.has("--production");

const common = {
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node18", // VS Code 1.82 runs extensions on Node 18
  sourcemap: production ? false : "linked",
  logLevel: "warning",
};

if (args.has("--tests")) {
  rmSync("out/test", { recursive: true, force: true });
  const tests = readdirSync("client/test")
    .filter((name) => name.endsWith(".test.ts"))
    .map((name) => `client/test/${name}`);
  // No "vscode" here on purpose: the logic under test must not import it.
  await build({ ...common, entryPoints: tests, outdir: "out/test" });
} else {
  await build({
    ...common,
    entryPoints: ["client/src/extension.ts"],
    outfile: "dist/extension.js",
    external: ["vscode"],
    minify: production,
  });
}
