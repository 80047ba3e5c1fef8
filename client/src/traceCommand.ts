// "unleak: Trace leaks while running…": runs unleak.trace.command under `unleak trace` with a
// cancellable progress notification, its output in the unleak channel, and the summary at
// the end. The logic is in traceCommandLine.ts, traceRun.ts and traceSummary.ts.

import * as os from "node:os";
import * as vscode from "vscode";
import { Commands } from "./commandIds";
import { expandPath } from "./interpreter";
import type { ServerManager } from "./languageServer";
import { activeInterpreter } from "./pythonExtension";
import { effectiveValue } from "./serverSettings";
import { displayCommand, parseTraceCommand, substitute, traceCommandLine, traceCwd } from "./traceCommandLine";
import { startTrace, type TraceRun } from "./traceRun";

const PROGRESS_INTERVAL_MS = 250;
const PROGRESS_WIDTH = 120;

export const UNTRUSTED_MESSAGE =
  "unleak: Trace leaks while running… runs a command (by default the workspace's tests, i.e. its code), " +
  "so it is disabled in an untrusted workspace. Trust the workspace to use it.";

export class TraceCommand implements vscode.Disposable {
  /** From the command's start (settings, interpreter) to its message: one trace at a time. */
  private busy = false;
  private running: TraceRun | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly manager: ServerManager,
    private readonly channel: vscode.LogOutputChannel,
  ) {}

  /** A trace still running when the window closes is ended with its group. */
  dispose(): void {
    void this.running?.cancel();
  }

  async run(): Promise<void> {
    if (!vscode.workspace.isTrusted) {
      const manage = "Manage Workspace Trust";
      const choice = await vscode.window.showWarningMessage(UNTRUSTED_MESSAGE, manage);
      if (choice === manage) {
        void vscode.commands.executeCommand("workbench.trust.manage");
      }
      return;
    }
    if (this.busy) {
      void vscode.window.showInformationMessage("unleak: a trace is already running (see its notification).");
      return;
    }
    this.busy = true;
    try {
      await this.prepareAndTrace();
    } finally {
      this.busy = false;
    }
  }

  private async prepareAndTrace(): Promise<void> {
    const folder = traceFolder();
    if (folder === undefined) {
      void vscode.window.showInformationMessage("unleak: open a folder to trace its tests or program.");
      return;
    }
    await this.manager.settled(); // activation may have just queued the server's start
    const unleak = this.manager.unleak;
    if (unleak === undefined) {
      this.showError("unleak: no Python to run `unleak trace` with (the language server has none either).");
      return;
    }
    const config = vscode.workspace.getConfiguration("unleak", folder.uri);
    // Trusted here; effectiveValue's filter still keeps the workspace out if that changes.
    const trusted = vscode.workspace.isTrusted;
    const command = parseTraceCommand(effectiveValue(config.inspect("trace.command"), trusted));
    if (!Array.isArray(command)) {
      this.showError(`unleak: ${command.problem}`, "unleak.trace.command");
      return;
    }
    const home = os.homedir();
    const workspaceFolder = folder.uri.fsPath;
    // ${interpreter}: the project's Python. The server's, unless it came from the Python
    // extension, whose choice can differ per folder.
    let interpreter = unleak.python;
    if (this.manager.source === "pythonExtension") {
      interpreter = (await activeInterpreter(folder.uri).catch(() => undefined)) ?? interpreter;
    }
    const variables = { interpreter, workspaceFolder, home, env: process.env };
    const rawCwd = effectiveValue(config.inspect("trace.cwd"), trusted);
    const cwd = traceCwd(
      typeof rawCwd === "string" ? expandPath(rawCwd, { workspaceFolder, home, env: process.env }) : "",
      workspaceFolder,
      home,
    );
    const line = traceCommandLine(
      unleak.python,
      unleak.strategy,
      this.context.extensionPath,
      command.map((argument) => substitute(argument, variables)),
    );
    this.channel.info(`trace: running ${displayCommand(line)} in ${cwd}`);
    await this.trace(line, cwd);
  }

  private async trace(line: ReturnType<typeof traceCommandLine>, cwd: string): Promise<void> {
    let latest = "starting…";
    const run = startTrace({
      line,
      cwd,
      // Unbuffered, so that the output (and the progress shown) follows the run.
      env: { ...process.env, PYTHONUNBUFFERED: process.env.PYTHONUNBUFFERED ?? "1" },
      onLine: (_stream, text) => {
        this.channel.appendLine(text);
        if (text.trim() !== "") {
          latest = text.trim();
        }
      },
    });
    this.running = run;
    let result;
    try {
      result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: "unleak trace", cancellable: true },
        async (progress, token) => {
          token.onCancellationRequested(() => {
            this.channel.info("trace: cancelled: ending its process group");
            void run.cancel();
          });
          let shown = "";
          const timer = setInterval(() => {
            if (latest !== shown) {
              shown = latest;
              progress.report({ message: oneLine(latest) });
            }
          }, PROGRESS_INTERVAL_MS);
          try {
            return await run.result;
          } finally {
            clearInterval(timer);
          }
        },
      );
    } finally {
      this.running = undefined;
    }
    this.channel.info(`trace: ${result.message}${result.reportPath !== undefined ? ` (report: ${result.reportPath})` : ""}`);
    if (result.reportPath !== undefined) {
      // The server notices the report within ~2 s by itself; this makes it immediate.
      void this.manager.reportChanged(result.reportPath);
    }
    if (result.end === "failed") {
      this.showError(result.message);
      return;
    }
    const problems = "Show Problems";
    const logs = "Show Logs";
    const buttons = result.reportPath !== undefined ? [problems, logs] : [logs];
    // Not awaited: the message stays until dismissed, and another trace may start meanwhile.
    void vscode.window.showInformationMessage(result.message, ...buttons).then((choice) => {
      if (choice === problems) {
        void vscode.commands.executeCommand("workbench.actions.view.problems");
      } else if (choice === logs) {
        this.channel.show(true);
      }
    });
  }

  private showError(message: string, setting?: string): void {
    this.channel.error(message);
    const logs = "Show Logs";
    const settings = "Open Settings";
    const buttons = setting !== undefined ? [settings, logs] : [logs];
    void vscode.window.showErrorMessage(message, ...buttons).then((choice) => {
      if (choice === logs) {
        void vscode.commands.executeCommand(Commands.showLogs);
      } else if (choice === settings) {
        void vscode.commands.executeCommand("workbench.action.openSettings", setting);
      }
    });
  }
}

/** The active file's workspace folder, else the first one. */
function traceFolder(): vscode.WorkspaceFolder | undefined {
  const active = vscode.window.activeTextEditor?.document.uri;
  const own = active !== undefined ? vscode.workspace.getWorkspaceFolder(active) : undefined;
  return own ?? vscode.workspace.workspaceFolders?.[0];
}

function oneLine(text: string): string {
  return text.length <= PROGRESS_WIDTH ? text : `${text.slice(0, PROGRESS_WIDTH - 1)}…`;
}
