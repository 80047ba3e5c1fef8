// The command line of "Trace leaks while running…": unleak.trace.command with its variables
// substituted, run under `unleak trace` by the same unleak as the server. No "vscode" import.

import * as path from "node:path";
import type { CommandLine, ImportStrategy } from "./serverCommand";

/** The settings of the trace command (read by the client only, never sent to the server). */
export const TRACE_KEYS = ["unleak.trace.command", "unleak.trace.cwd"] as const;

/** unleak.trace.command's default: the project's pytest, on the interpreter the extension found. */
export const DEFAULT_TRACE_COMMAND: readonly string[] = ["${interpreter}", "-m", "pytest"];

/** The bundled launcher of unleak's command line (a sibling of the server's). */
export function cliLauncherPath(extensionPath: string): string {
  return path.join(extensionPath, "bundled", "tool", "cli.py");
}

export interface Variables {
  /** The Python the extension resolved (for the traced command, not necessarily unleak's). */
  interpreter: string;
  workspaceFolder: string | undefined;
  home: string;
  env: Readonly<Record<string, string | undefined>>;
}

/**
 * unleak.trace.command as a list of arguments, or a message saying what is wrong with it.
 * Unset (undefined/null) or an empty list is the default; anything else must be strings.
 */
export function parseTraceCommand(value: unknown): string[] | { problem: string } {
  if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) {
    return [...DEFAULT_TRACE_COMMAND];
  }
  if (!Array.isArray(value) || !value.every((item): item is string => typeof item === "string")) {
    return { problem: 'unleak.trace.command must be a list of strings, e.g. ["${interpreter}", "-m", "pytest"]' };
  }
  if ((value[0] ?? "").trim() === "") {
    return { problem: "unleak.trace.command must start with the program to run" };
  }
  return [...value];
}

/** ${interpreter}, ${workspaceFolder}, ${userHome} and ${env:NAME} in one argument. */
export function substitute(argument: string, variables: Variables): string {
  return argument.replace(/\$\{(interpreter|workspaceFolder|userHome|env:([^}]+))\}/g, (whole, name: string, env?: string) => {
    if (env !== undefined) {
      return variables.env[env] ?? "";
    }
    if (name === "interpreter") {
      return variables.interpreter;
    }
    if (name === "userHome") {
      return variables.home;
    }
    return variables.workspaceFolder ?? whole; // left as is: the command then says what is wrong
  });
}

/**
 * `unleak trace -- COMMAND...` as the server's unleak runs it: the bundled one isolated (-I,
 * like the server, so nothing in the workspace can shadow the bundled libraries), or the
 * interpreter environment's own with fromEnvironment.
 */
export function traceCommandLine(
  unleakPython: string,
  strategy: ImportStrategy,
  extensionPath: string,
  command: readonly string[],
): CommandLine {
  // --progress: its per-process lines reach the notification through a pipe too.
  const trace = ["trace", "--progress", "--", ...command];
  if (strategy === "fromEnvironment") {
    return { command: unleakPython, args: ["-m", "unleak", ...trace] };
  }
  return { command: unleakPython, args: ["-I", cliLauncherPath(extensionPath), ...trace] };
}

/**
 * The folder the command runs in: unleak.trace.cwd (variables expanded by the caller; a
 * relative path is taken from the workspace folder), else the workspace folder.
 */
export function traceCwd(setting: string, workspaceFolder: string | undefined, fallback: string): string {
  const base = workspaceFolder ?? fallback;
  const value = setting.trim();
  if (value === "") {
    return base;
  }
  return path.resolve(base, value);
}

/** A command line as a shell would show it, for the log. */
export function displayCommand(line: CommandLine): string {
  return [line.command, ...line.args].map((word) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`)).join(" ");
}
