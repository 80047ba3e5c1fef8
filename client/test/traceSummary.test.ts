import assert from "node:assert/strict";
import * as path from "node:path";
import { test } from "node:test";
import {
  countsFromSummary,
  countsText,
  exitText,
  projectRoot,
  reportFacts,
  reportPath,
  summaryText,
} from "../src/traceSummary";

function report(statuses: (string | null)[], extra: Record<string, unknown> = {}): unknown {
  return {
    version: 1,
    exit_code: 0,
    processes: [{ pid: 1 }],
    notes: [],
    leaks: statuses.map((status) => ({ kind: "file", status, count: 1 })),
    ...extra,
  };
}

test("the summary counts the report's leak sites by status", () => {
  const facts = reportFacts(report(["confirmed", "missed", "confirmed"]));
  assert.equal(summaryText(facts, "", 0), "unleak trace: 3 runtime leak sites, 2 confirmed, 1 missed");
  assert.equal(
    summaryText(reportFacts(report(["missed", null])), "", 0),
    "unleak trace: 2 runtime leak sites, 0 confirmed, 1 missed, 1 not compared with the static analysis",
  );
  assert.equal(summaryText(reportFacts(report([])), "", 0), "unleak trace: no runtime leaks found");
  assert.equal(countsText({ sites: 1, confirmed: 1, missed: 0, unchecked: 0 }), "1 runtime leak site, 1 confirmed, 0 missed");
});

test("a failing command still has its report, and the summary says how it ended", () => {
  const facts = reportFacts(report(["missed"], { exit_code: 1 }));
  assert.equal(summaryText(facts, "", 1), "unleak trace: 1 runtime leak site, 0 confirmed, 1 missed; the command exited with code 1");
  assert.equal(exitText(143), "the command was killed by signal 15 (exit code 143)");
  assert.equal(exitText(null), "the command could not be started");
  assert.equal(exitText(0), undefined);
});

test("when nothing was traced, the summary says so, not that no leak was found", () => {
  assert.equal(
    summaryText(reportFacts(report([], { processes: [] })), "", 0),
    "unleak trace: nothing was traced: no Python process ran with the tracer (see the logs)",
  );
  assert.equal(
    summaryText(reportFacts(report([], { processes: [], exit_code: null })), "", 127),
    "unleak trace: nothing was traced: the command could not be started",
  );
  const stderr = [
    "unleak trace: 0 Python processes traced; the command could not be started after 0.0 s",
    "unleak trace: note: the command could not be started: nosuch: No such file or directory",
    "Nothing was traced: the command could not be started.",
    "Report: .unleak/trace.json",
  ].join("\n");
  assert.equal(summaryText(undefined, stderr, 127), "unleak trace: nothing was traced: the command could not be started");
  assert.equal(
    summaryText(undefined, "Nothing was traced: no Python process ran with the tracer (see the note above).\n", 0),
    "unleak trace: nothing was traced: no Python process ran with the tracer (see the logs)",
  );
});

test("without a readable report, unleak trace's own summary lines are used", () => {
  const stderr = [
    "unleak trace: 2 Python processes traced; the command exited with code 1 after 3.0 s",
    "  kind  count  where  static analysis",
    "3 runtime leak sites: 2 confirmed by static analysis, 1 missed.",
    "Report: .unleak/trace.json",
  ].join("\n");
  assert.deepEqual(countsFromSummary(stderr), { sites: 3, confirmed: 2, missed: 1, unchecked: 0 });
  assert.equal(summaryText(undefined, stderr, 1), "unleak trace: 3 runtime leak sites, 2 confirmed, 1 missed; the command exited with code 1");
  assert.deepEqual(countsFromSummary("No runtime leaks found.\nReport: x\n"), { sites: 0, confirmed: 0, missed: 0, unchecked: 0 });
  assert.deepEqual(
    countsFromSummary("2 runtime leak sites: 0 confirmed by static analysis, 1 missed, 1 not compared (no project frame: 1).\n"),
    { sites: 2, confirmed: 0, missed: 1, unchecked: 1 },
  );
  assert.equal(summaryText(undefined, "Traceback ...", 2), "unleak trace: no report was written (see the logs); the command exited with code 2");
});

test("anything but a report object is not one", () => {
  assert.equal(reportFacts(null), undefined);
  assert.equal(reportFacts([]), undefined);
  assert.equal(reportFacts({ leaks: "many" }), undefined);
});

test("the report is where the summary says, else in the project root", () => {
  assert.equal(reportPath("x\nReport: .unleak/trace.json\n", "/proj/sub"), path.resolve("/proj/sub/.unleak/trace.json"));
  assert.equal(reportPath("Report: /tmp/r.json", "/proj"), path.resolve("/tmp/r.json"));
  const exists = (file: string): boolean => file === path.join("/proj", "pyproject.toml");
  assert.equal(projectRoot("/proj/sub/deeper", exists), path.resolve("/proj"));
  assert.equal(projectRoot("/nowhere/sub", exists), path.resolve("/nowhere/sub"));
  assert.equal(reportPath("", "/proj/sub", exists), path.join(path.resolve("/proj"), ".unleak", "trace.json"));
});
