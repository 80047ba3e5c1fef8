// A child process in a process group of its own (spawned detached), its output read line by
// line, and a cancel that ends the whole group: SIGTERM, then SIGKILL after a grace period
// for whatever is left (a test runner's workers, a server the tests started). No "vscode".

import { spawn } from "node:child_process";
import { StringDecoder } from "node:string_decoder";
import type { CommandLine } from "./serverCommand";

export type Stream = "stdout" | "stderr";

export interface ProcessOutcome {
  /** null when killed by a signal or not started. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Why it could not be started (e.g. "spawn python3 ENOENT"). */
  error?: string;
  /** Whether cancel() was called before it ended. */
  cancelled: boolean;
}

export interface StartOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Each complete line of output (the last one too, even without a newline). */
  onLine: (stream: Stream, line: string) => void;
  /** Time between SIGTERM and SIGKILL. */
  graceMs?: number;
}

export interface GroupProcess {
  pid: number | undefined;
  /** Settles once the process has exited and its output has been read. */
  readonly done: Promise<ProcessOutcome>;
  /** End the group (idempotent); resolves when it is gone. */
  cancel(): Promise<void>;
}

export const DEFAULT_GRACE_MS = 5000;
// A grandchild that keeps stdout open (a daemon the command left) must not hold the run:
// after the exit, output still in flight gets this long.
const OUTPUT_DRAIN_MS = 1000;

export interface KillDeps {
  /** process.kill: a negative pid is the process group. */
  kill: (pid: number, signal: NodeJS.Signals | 0) => void;
  sleep: (ms: number) => Promise<void>;
  graceMs: number;
  pollMs?: number;
}

const realKillDeps = (graceMs: number): KillDeps => ({
  kill: (pid, signal) => process.kill(pid, signal),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  graceMs,
});

/** Whether any process of group `pgid` is left (zombies count until reaped). */
export function groupAlive(pgid: number, kill: KillDeps["kill"]): boolean {
  try {
    kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals, kill: KillDeps["kill"]): void {
  try {
    kill(-pgid, signal);
  } catch {
    // ESRCH: already gone
  }
}

/**
 * SIGTERM to the group (`unleak trace` passes it on and still writes what it recorded), then,
 * if anything is left after the grace period, SIGKILL. Resolves with the last signal sent.
 */
export async function terminateGroup(pgid: number, deps: KillDeps): Promise<"SIGTERM" | "SIGKILL" | undefined> {
  if (!groupAlive(pgid, deps.kill)) {
    return undefined;
  }
  signalGroup(pgid, "SIGTERM", deps.kill);
  const poll = deps.pollMs ?? 100;
  for (let waited = 0; waited < deps.graceMs; waited += poll) {
    await deps.sleep(poll);
    if (!groupAlive(pgid, deps.kill)) {
      return "SIGTERM";
    }
  }
  signalGroup(pgid, "SIGKILL", deps.kill);
  for (let waited = 0; waited < 2000 && groupAlive(pgid, deps.kill); waited += poll) {
    await deps.sleep(poll);
  }
  return "SIGKILL";
}

/** Splits a byte stream into lines (UTF-8, \n or \r\n). */
class LineReader {
  private readonly decoder = new StringDecoder("utf8");
  private partial = "";

  constructor(private readonly emit: (line: string) => void) {}

  push(chunk: Buffer): void {
    const lines = (this.partial + this.decoder.write(chunk)).split("\n");
    this.partial = lines.pop() ?? "";
    for (const line of lines) {
      this.emit(line.endsWith("\r") ? line.slice(0, -1) : line);
    }
  }

  end(): void {
    const rest = this.partial + this.decoder.end();
    this.partial = "";
    if (rest !== "") {
      this.emit(rest);
    }
  }
}

export function startInGroup(line: CommandLine, options: StartOptions): GroupProcess {
  const windows = process.platform === "win32";
  const child = spawn(line.command, line.args, {
    cwd: options.cwd,
    env: options.env,
    // Its own process group (setsid), so that cancel reaches every process it starts.
    detached: !windows,
    stdio: ["ignore", "pipe", "pipe"],
    windowsHide: true,
  });
  let cancelled = false;
  let finished = false;
  const readers = {
    stdout: new LineReader((text) => options.onLine("stdout", text)),
    stderr: new LineReader((text) => options.onLine("stderr", text)),
  };
  child.stdout?.on("data", (chunk: Buffer) => readers.stdout.push(chunk));
  child.stderr?.on("data", (chunk: Buffer) => readers.stderr.push(chunk));

  const done = new Promise<ProcessOutcome>((resolve) => {
    const finish = (outcome: Omit<ProcessOutcome, "cancelled">): void => {
      if (finished) {
        return;
      }
      finished = true;
      readers.stdout.end();
      readers.stderr.end();
      resolve({ ...outcome, cancelled });
    };
    child.on("error", (error) => {
      // Not started (ENOENT, EACCES): no exit event follows.
      if (child.pid === undefined) {
        finish({ exitCode: null, signal: null, error: error.message });
      }
    });
    child.on("close", (exitCode, signal) => finish({ exitCode, signal }));
    child.on("exit", (exitCode, signal) => {
      const timer = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        finish({ exitCode, signal });
      }, OUTPUT_DRAIN_MS);
      timer.unref();
    });
  });

  let cancelling: Promise<void> | undefined;
  const cancel = (): Promise<void> => {
    if (cancelling === undefined) {
      cancelled = !finished;
      const pid = child.pid;
      if (pid === undefined) {
        cancelling = Promise.resolve();
      } else if (windows) {
        child.kill(); // no process groups: the child only
        cancelling = done.then(() => undefined);
      } else {
        cancelling = terminateGroup(pid, realKillDeps(options.graceMs ?? DEFAULT_GRACE_MS)).then(() => undefined);
      }
    }
    return cancelling;
  };
  return { pid: child.pid, done, cancel };
}
