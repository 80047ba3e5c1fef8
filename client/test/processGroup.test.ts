// Cancelling: the kill sequence with fake signals, and real process groups (python3 processes
// that sleep, one of them ignoring SIGTERM) that must be gone afterwards.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { test } from "node:test";
import { groupAlive, startInGroup, terminateGroup, type KillDeps } from "../src/processGroup";

function hasPython3(): boolean {
  try {
    execFileSync("python3", ["-c", "pass"]);
    return true;
  } catch {
    return false;
  }
}
const skip = process.platform === "win32" ? "no process groups on Windows" : !hasPython3() && "no python3";

/** A fake group that ends after `survivesSigterm` is false and SIGTERM arrives, or on SIGKILL. */
function fakeGroup(survivesSigterm: boolean): { deps: KillDeps; sent: string[] } {
  const sent: string[] = [];
  let alive = true;
  const deps: KillDeps = {
    kill: (pid, signal) => {
      assert.equal(pid, -42, "signals go to the group");
      if (!alive) {
        throw Object.assign(new Error("ESRCH"), { code: "ESRCH" });
      }
      if (signal !== 0) {
        sent.push(signal);
        alive = signal === "SIGTERM" && survivesSigterm;
      }
    },
    sleep: () => Promise.resolve(),
    graceMs: 1000,
    pollMs: 100,
  };
  return { deps, sent };
}

test("SIGTERM is enough for a group that ends on it", async () => {
  const { deps, sent } = fakeGroup(false);
  assert.equal(await terminateGroup(42, deps), "SIGTERM");
  assert.deepEqual(sent, ["SIGTERM"]);
});

test("a group still there after the grace period gets SIGKILL", async () => {
  const { deps, sent } = fakeGroup(true);
  assert.equal(await terminateGroup(42, deps), "SIGKILL");
  assert.deepEqual(sent, ["SIGTERM", "SIGKILL"]);
});

test("a group already gone gets no signal", async () => {
  const { deps, sent } = fakeGroup(false);
  await terminateGroup(42, deps);
  assert.equal(await terminateGroup(42, deps), undefined);
  assert.deepEqual(sent, ["SIGTERM"]);
});

// The parent starts a child in its group, prints both pids, then sleeps.
const SLEEPERS = `
import os, signal, subprocess, sys, time
if sys.argv[1] == "stubborn":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
child = subprocess.Popen([sys.executable, "-c", "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN) if %r == 'stubborn' else None; time.sleep(60)" % sys.argv[1]])
print("pids", os.getpid(), child.pid, flush=True)
time.sleep(60)
`;

async function runAndCancel(mode: "polite" | "stubborn", graceMs: number): Promise<void> {
  const lines: string[] = [];
  let announce: (text: string) => void = () => undefined;
  const announced = new Promise<string>((resolve) => (announce = resolve));
  const started = startInGroup(
    { command: "python3", args: ["-c", SLEEPERS, mode] },
    {
      cwd: process.cwd(),
      env: process.env,
      graceMs,
      onLine: (stream, text) => {
        lines.push(`${stream}: ${text}`);
        if (text.startsWith("pids ")) {
          announce(text);
        }
      },
    },
  );
  const pid = started.pid;
  assert.ok(pid !== undefined);
  const pids = (await announced).split(" ").slice(1).map(Number);
  assert.equal(pids[0], pid);
  const kill = (target: number, signal: NodeJS.Signals | 0): void => void process.kill(target, signal);
  assert.ok(groupAlive(pid, kill), "the group runs");
  const began = Date.now();
  await started.cancel();
  const outcome = await started.done;
  assert.equal(outcome.cancelled, true);
  assert.equal(outcome.exitCode, null);
  assert.equal(outcome.signal, mode === "polite" ? "SIGTERM" : "SIGKILL");
  assert.equal(groupAlive(pid, kill), false, "the process group is gone");
  for (const member of pids) {
    assert.throws(() => process.kill(member, 0), /ESRCH/, `process ${member} is gone`);
  }
  if (mode === "stubborn") {
    assert.ok(Date.now() - began >= graceMs, "SIGKILL only after the grace period");
  }
  assert.deepEqual(lines, [`stdout: pids ${pids.join(" ")}`]);
}

test("cancel ends a real process group with SIGTERM", { skip, timeout: 30_000 }, () => runAndCancel("polite", 5000));

test("cancel SIGKILLs a real process group that ignores SIGTERM", { skip, timeout: 30_000 }, () =>
  runAndCancel("stubborn", 500),
);

test("a command that ends by itself: exit code and every line, the last without a newline", { skip }, async () => {
  const lines: string[] = [];
  const started = startInGroup(
    { command: "python3", args: ["-c", "import sys; print('a'); sys.stderr.write('b\\r\\nc'); sys.exit(3)"] },
    { cwd: process.cwd(), env: process.env, onLine: (stream, text) => lines.push(`${stream}: ${text}`) },
  );
  const outcome = await started.done;
  assert.deepEqual(outcome, { exitCode: 3, signal: null, cancelled: false });
  assert.deepEqual(lines.sort(), ["stderr: b", "stderr: c", "stdout: a"]);
  await started.cancel(); // after the end: nothing to do, and not "cancelled"
});

test("a program that does not exist is an error, not a hang", async () => {
  const started = startInGroup(
    { command: "/nonexistent/unleak-python", args: [] },
    { cwd: process.cwd(), env: process.env, onLine: () => undefined },
  );
  const outcome = await started.done;
  assert.equal(outcome.exitCode, null);
  assert.match(outcome.error ?? "", /ENOENT/);
});
