// How the server process is started, for each import strategy. No "vscode" import.

import * as path from "node:path";
import { probeScript } from "./pythonVersion";

export type ImportStrategy = "useBundled" | "fromEnvironment";

export function parseImportStrategy(value: unknown): ImportStrategy {
  return value === "fromEnvironment" ? "fromEnvironment" : "useBundled";
}

export interface CommandLine {
  command: string;
  args: string[];
}

/** The launcher shipped in the .vsix; it puts bundled/libs first on sys.path. */
export function launcherPath(extensionPath: string): string {
  return path.join(extensionPath, "bundled", "tool", "server.py");
}

/**
 * The server's command line. The bundled server runs isolated (-I: no PYTHONPATH, no user
 * site-packages, not the current directory), so nothing in the user's environment or the
 * workspace can shadow the bundled libraries or run instead of them.
 */
export function serverCommand(
  python: string,
  strategy: ImportStrategy,
  extensionPath: string,
): CommandLine {
  if (strategy === "fromEnvironment") {
    return { command: python, args: ["-m", "unleak", "server"] };
  }
  return { command: python, args: ["-I", launcherPath(extensionPath)] };
}

/** The command line that asks an interpreter for its version (and its unleak, if it will run). */
export function probeCommand(python: string, strategy: ImportStrategy): CommandLine {
  if (strategy === "fromEnvironment") {
    return { command: python, args: ["-c", probeScript(true)] };
  }
  return { command: python, args: ["-I", "-c", probeScript(false)] };
}
