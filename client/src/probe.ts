// Running the probe in a real interpreter (node's child_process; no "vscode" import).

import { execFile } from "node:child_process";
import { parseProbeOutput, type PythonFacts } from "./pythonVersion";
import { probeCommand, type ImportStrategy } from "./serverCommand";

const PROBE_TIMEOUT_MS = 15_000; // a cold conda or network-mounted interpreter can be slow

export function probePython(
  python: string,
  strategy: ImportStrategy,
  cwd: string | undefined,
  timeoutMs = PROBE_TIMEOUT_MS,
): Promise<PythonFacts> {
  const { command, args } = probeCommand(python, strategy);
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd, timeout: timeoutMs, windowsHide: true, encoding: "utf8" },
      (error, stdout, stderr) => {
        if (error !== null) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code === "ENOENT") {
            reject(new Error("not found"));
          } else if (error.killed) {
            reject(new Error(`no answer within ${timeoutMs / 1000} s`));
          } else if (stderr.includes("Unknown option: -I")) {
            reject(new Error("is too old to know the -I option (Python 2?)"));
          } else {
            const detail = stderr.trim().split(/\r?\n/).pop() ?? "";
            reject(new Error(detail !== "" ? detail : error.message));
          }
          return;
        }
        try {
          resolve(parseProbeOutput(stdout));
        } catch (parseError) {
          reject(parseError);
        }
      },
    );
  });
}
