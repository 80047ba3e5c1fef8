// What a finished trace says: the summary line from the report's `leaks` (or, when the report
// cannot be read, from `unleak trace`'s own summary on stderr), and where the report is.
// No "vscode" import.

import { existsSync } from "node:fs";
import * as path from "node:path";

/** The report's default place, relative to the project root (unleak.trace.report.DEFAULT_OUTPUT). */
export const REPORT_RELATIVE = path.join(".unleak", "trace.json");

/** The project root as `unleak trace` finds it: the nearest folder with a pyproject.toml, else cwd. */
export function projectRoot(cwd: string, exists: (file: string) => boolean = existsSync): string {
  let directory = path.resolve(cwd);
  for (;;) {
    if (exists(path.join(directory, "pyproject.toml"))) {
      return directory;
    }
    const parent = path.dirname(directory);
    if (parent === directory) {
      return path.resolve(cwd);
    }
    directory = parent;
  }
}

/** The report this run wrote: the summary's last "Report: PATH" line, else the default place. */
export function reportPath(stderr: string, cwd: string, exists?: (file: string) => boolean): string {
  const named = [...stderr.matchAll(/^Report: (.+)$/gm)].pop()?.[1]?.trim();
  if (named !== undefined && named !== "") {
    return path.resolve(cwd, named);
  }
  return path.join(projectRoot(cwd, exists), REPORT_RELATIVE);
}

export interface LeakCounts {
  sites: number;
  confirmed: number;
  missed: number;
  /** Not compared with the static analysis (status null: no project frame, or --no-check). */
  unchecked: number;
}

export interface ReportFacts {
  counts: LeakCounts;
  /** The command's exit code; null when it could not be started. */
  exitCode: number | null;
  processes: number;
  notes: string[];
}

/** The parts of a report (the JSON of `unleak trace`) the summary needs, or undefined if it is not one. */
export function reportFacts(report: unknown): ReportFacts | undefined {
  if (typeof report !== "object" || report === null) {
    return undefined;
  }
  const data = report as Record<string, unknown>;
  if (!Array.isArray(data.leaks)) {
    return undefined;
  }
  const counts: LeakCounts = { sites: 0, confirmed: 0, missed: 0, unchecked: 0 };
  for (const leak of data.leaks) {
    const status = typeof leak === "object" && leak !== null ? (leak as Record<string, unknown>).status : undefined;
    counts.sites += 1;
    if (status === "confirmed") {
      counts.confirmed += 1;
    } else if (status === "missed") {
      counts.missed += 1;
    } else {
      counts.unchecked += 1;
    }
  }
  return {
    counts,
    exitCode: typeof data.exit_code === "number" ? data.exit_code : null,
    processes: Array.isArray(data.processes) ? data.processes.length : 0,
    notes: Array.isArray(data.notes) ? data.notes.filter((note): note is string => typeof note === "string") : [],
  };
}

/** The counts from `unleak trace`'s summary on stderr (render_summary), when the report is unreadable. */
export function countsFromSummary(stderr: string): LeakCounts | undefined {
  const lines = stderr.split(/\r?\n/);
  for (let index = lines.length - 1; index >= 0; index -= 1) {
    const line = lines[index] ?? "";
    // The sites not compared, if any, follow: ", 1 not compared (no project frame: 1)".
    const sites = /^(\d+) runtime leak sites?: (\d+) confirmed by static analysis, (\d+) missed(?:, \d+ not compared \(.*\))?\.$/.exec(line);
    if (sites !== null) {
      const [all, confirmed, missed] = [Number(sites[1]), Number(sites[2]), Number(sites[3])];
      return { sites: all, confirmed, missed, unchecked: all - confirmed - missed };
    }
    if (line === "No runtime leaks found.") {
      return { sites: 0, confirmed: 0, missed: 0, unchecked: 0 };
    }
  }
  return undefined;
}

function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

/** "3 runtime leak sites, 2 confirmed, 1 missed" (and how many were not compared). */
export function countsText(counts: LeakCounts): string {
  if (counts.sites === 0) {
    return "no runtime leaks found";
  }
  let text = `${plural(counts.sites, "runtime leak site")}, ${counts.confirmed} confirmed, ${counts.missed} missed`;
  if (counts.unchecked > 0) {
    text += `, ${counts.unchecked} not compared with the static analysis`;
  }
  return text;
}

/** The command's outcome, when it is news: "the command exited with code 1". */
export function exitText(exitCode: number | null): string | undefined {
  if (exitCode === null) {
    return "the command could not be started";
  }
  if (exitCode === 0) {
    return undefined;
  }
  if (exitCode > 128 && exitCode < 160) {
    return `the command was killed by signal ${exitCode - 128} (exit code ${exitCode})`;
  }
  return `the command exited with code ${exitCode}`;
}

/**
 * The message at the end of a run. `facts` is the report this run wrote (undefined when it
 * wrote none or it cannot be read; then `stderr`'s summary is used), `exitCode` that of
 * `unleak trace` (the command's, passed through).
 */
export function summaryText(facts: ReportFacts | undefined, stderr: string, exitCode: number | null): string {
  const parts: string[] = [];
  if (facts !== undefined && facts.processes === 0 && facts.counts.sites === 0) {
    // Not "no runtime leaks found": nothing ran that could have found one.
    const why = facts.exitCode === null ? "the command could not be started" : "no Python process ran with the tracer (see the logs)";
    return `unleak trace: nothing was traced: ${why}`;
  }
  if (facts !== undefined) {
    parts.push(countsText(facts.counts));
    const exit = exitText(facts.exitCode);
    if (exit !== undefined) {
      parts.push(exit);
    }
  } else {
    const nothing = /^Nothing was traced: (.*?)\.?$/m.exec(stderr);
    if (nothing !== null) {
      return `unleak trace: nothing was traced: ${(nothing[1] ?? "").replace("(see the note above)", "(see the logs)")}`;
    }
    const counts = countsFromSummary(stderr);
    parts.push(counts !== undefined ? countsText(counts) : "no report was written (see the logs)");
    const exit = exitText(exitCode);
    if (exit !== undefined) {
      parts.push(exit);
    }
  }
  return `unleak trace: ${parts.join("; ")}`;
}
