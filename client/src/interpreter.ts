// Which Python runs the server: the unleak.interpreter setting, else the Python extension's
// active environment, else python3 on PATH. Dependencies are injected (no "vscode" import),
// so the order and the messages are unit tested.

import { formatVersion, isAtLeast, MINIMUM_PYTHON, type PythonFacts } from "./pythonVersion";

export type InterpreterSource = "setting" | "pythonExtension" | "path";

export interface Interpreter {
  /** What to spawn: the path or command name as configured or found. */
  command: string;
  source: InterpreterSource;
  facts: PythonFacts;
}

export interface ResolveDeps {
  /** unleak.interpreter after trust filtering and variable expansion; "" when unset. */
  setting: string;
  /** The Python extension's active interpreter; undefined when not installed or not used. */
  pythonExtension: () => Promise<string | undefined>;
  /** Commands to look up on PATH, in order. */
  pathCommands: readonly string[];
  /** Runs the probe; rejects when the command cannot run or prints nonsense. */
  probe: (command: string) => Promise<PythonFacts>;
  /** fromEnvironment: the interpreter must also import unleak. */
  needUnleak: boolean;
}

export type Resolution =
  | { ok: true; interpreter: Interpreter; notes: string[] }
  | { ok: false; message: string; notes: string[] };

const MINIMUM = formatVersion(MINIMUM_PYTHON);

/** Why `facts` cannot run the server, or undefined when it can. */
export function unsuitable(facts: PythonFacts, needUnleak: boolean): string | undefined {
  if (!isAtLeast(facts.version)) {
    return `is Python ${formatVersion(facts.version)} (unleak needs ${MINIMUM} or newer)`;
  }
  if (needUnleak && facts.unleak === null) {
    return "cannot import unleak (importStrategy is fromEnvironment: run `pip install unleak` there, or use the bundled server)";
  }
  return undefined;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function check(
  command: string,
  source: InterpreterSource,
  deps: ResolveDeps,
): Promise<{ interpreter?: Interpreter; problem?: string }> {
  // problem: what is wrong with `command`, as the end of a sentence that names it.
  let facts: PythonFacts;
  try {
    facts = await deps.probe(command);
  } catch (error) {
    const text = errorText(error);
    return { problem: text === "not found" ? "was not found" : `did not run: ${text}` };
  }
  const reason = unsuitable(facts, deps.needUnleak);
  if (reason !== undefined) {
    return { problem: reason };
  }
  return { interpreter: { command, source, facts } };
}

export async function resolveInterpreter(deps: ResolveDeps): Promise<Resolution> {
  const notes: string[] = [];
  // An explicit setting is the user's choice: report its problem, never silently replace it.
  if (deps.setting.trim() !== "") {
    const command = deps.setting.trim();
    const found = await check(command, "setting", deps);
    if (found.interpreter !== undefined) {
      return { ok: true, interpreter: found.interpreter, notes };
    }
    notes.push(`${command} ${found.problem ?? ""}`);
    return {
      ok: false,
      message:
        `unleak.interpreter is set to ${command}, which ${found.problem ?? "cannot be used"}. Point it at a Python ${MINIMUM} or newer, ` +
        "or clear it to use the Python extension's interpreter or python3 on PATH.",
      notes,
    };
  }
  let fromExtension: string | undefined;
  try {
    fromExtension = await deps.pythonExtension();
  } catch (error) {
    notes.push(`the Python extension gave no interpreter: ${errorText(error)}`);
  }
  const candidates: [string, InterpreterSource][] = [];
  if (fromExtension !== undefined && fromExtension !== "") {
    candidates.push([fromExtension, "pythonExtension"]);
  }
  for (const command of deps.pathCommands) {
    candidates.push([command, "path"]);
  }
  for (const [command, source] of candidates) {
    const found = await check(command, source, deps);
    if (found.interpreter !== undefined) {
      return { ok: true, interpreter: found.interpreter, notes };
    }
    notes.push(`${command} ${found.problem ?? ""}`);
  }
  const what = deps.needUnleak
    ? `a Python ${MINIMUM}+ with unleak installed`
    : `Python ${MINIMUM} or newer`;
  return {
    ok: false,
    message: `unleak needs ${what} to run its language server and found none: ${notes.join("; ")}. Install one, or set unleak.interpreter.`,
    notes,
  };
}

export interface ExpandContext {
  workspaceFolder: string | undefined;
  home: string;
  env: Readonly<Record<string, string | undefined>>;
}

/** Expand ${workspaceFolder}, ${userHome}, ${env:NAME} and a leading ~ in a path setting. */
export function expandPath(value: string, context: ExpandContext): string {
  let result = value.trim();
  if (result === "~" || result.startsWith("~/") || result.startsWith("~\\")) {
    result = context.home + result.slice(1);
  }
  return result.replace(/\$\{(workspaceFolder|userHome|env:([^}]+))\}/g, (whole, name: string, env?: string) => {
    if (env !== undefined) {
      return context.env[env] ?? "";
    }
    if (name === "userHome") {
      return context.home;
    }
    return context.workspaceFolder ?? whole;
  });
}
