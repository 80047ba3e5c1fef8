// One run of `unleak trace`: start it in its own process group, follow its output, and turn
// its end (report, exit code, cancellation) into the message to show. No "vscode" import, so
// it is tested against the real `unleak trace`.

import { readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { startInGroup, type ProcessOutcome, type Stream } from "./processGroup";
import type { CommandLine } from "./serverCommand";
import { countsText, projectRoot, reportFacts, reportPath, REPORT_RELATIVE, summaryText, type ReportFacts } from "./traceSummary";

export interface TraceRequest {
  line: CommandLine;
  cwd: string;
  env: NodeJS.ProcessEnv;
  onLine: (stream: Stream, text: string) => void;
  graceMs?: number;
}

export type TraceEnd =
  /** The command ran (whatever its exit code) and a report was written. */
  | "done"
  | "cancelled"
  /** `unleak trace` did not start, or ended without a report. */
  | "failed";

export interface TraceResult {
  end: TraceEnd;
  /** The one-line message for the user. */
  message: string;
  outcome: ProcessOutcome;
  /** The report this run wrote, if it wrote one. */
  reportPath: string | undefined;
  facts: ReportFacts | undefined;
}

export interface TraceRun {
  readonly result: Promise<TraceResult>;
  cancel(): Promise<void>;
}

// Enough of stderr for unleak trace's summary at the end (it comes last), without keeping a
// long test run's whole output.
const STDERR_LINES_KEPT = 2000;

function modified(file: string): number | undefined {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

function readFacts(file: string): ReportFacts | undefined {
  try {
    return reportFacts(JSON.parse(readFileSync(file, "utf8")));
  } catch {
    return undefined;
  }
}

export function startTrace(request: TraceRequest): TraceRun {
  const defaultReport = path.join(projectRoot(request.cwd), REPORT_RELATIVE);
  const before = modified(defaultReport);
  const stderr: string[] = [];
  const options = {
    cwd: request.cwd,
    env: request.env,
    onLine: (stream: Stream, text: string) => {
      if (stream === "stderr") {
        stderr.push(text);
        if (stderr.length > STDERR_LINES_KEPT) {
          stderr.splice(0, stderr.length - STDERR_LINES_KEPT);
        }
      }
      request.onLine(stream, text);
    },
    ...(request.graceMs !== undefined ? { graceMs: request.graceMs } : {}),
  };
  const child = startInGroup(request.line, options);
  const result = child.done.then((outcome): TraceResult => {
    const errors = stderr.join("\n");
    const file = reportPath(errors, request.cwd);
    const fresh = /^Report: /m.test(errors) || (file === defaultReport && modified(file) !== before);
    const facts = fresh ? readFacts(file) : undefined;
    const written = fresh && (facts !== undefined || modified(file) !== undefined) ? file : undefined;
    const base = { outcome, reportPath: written, facts };
    if (outcome.cancelled) {
      const recorded = facts !== undefined ? `; until then: ${countsText(facts.counts)}` : "";
      return { ...base, end: "cancelled", message: `unleak trace: cancelled${recorded}` };
    }
    if (outcome.error !== undefined) {
      return { ...base, end: "failed", message: `unleak trace could not be started: ${outcome.error}` };
    }
    if (written === undefined) {
      const last = stderr.filter((text) => text.trim() !== "").pop() ?? "no output";
      const code = outcome.exitCode !== null ? `exit code ${outcome.exitCode}` : `signal ${outcome.signal ?? "?"}`;
      return { ...base, end: "failed", message: `unleak trace failed (${code}): ${last}` };
    }
    return { ...base, end: "done", message: summaryText(facts, errors, outcome.exitCode) };
  });
  return { result, cancel: () => child.cancel() };
}
