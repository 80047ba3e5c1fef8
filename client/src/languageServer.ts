// The server's lifecycle: find Python, start `python -I bundled/tool/server.py` (or
// `python -m unleak server`) with vscode-languageclient over stdio, stop, restart. Starts and
// stops are queued so that a burst of setting changes cannot run two servers at once.

import * as os from "node:os";
import * as vscode from "vscode";
import {
  DidChangeWatchedFilesNotification,
  DocumentDiagnosticRequest,
  FileChangeType,
  LanguageClient,
  RevealOutputChannelOn,
  State,
  type LanguageClientOptions,
  type ServerOptions,
} from "vscode-languageclient/node";
import { Commands } from "./commandIds";
import { expandPath, resolveInterpreter, type InterpreterSource } from "./interpreter";
import { probePython } from "./probe";
import { activeInterpreter } from "./pythonExtension";
import { formatVersion } from "./pythonVersion";
import { serverStderrToShow } from "./serverOutput";
import { CLIENT_ID, DOCUMENT_SELECTOR } from "./selector";
import { parseImportStrategy, serverCommand, type ImportStrategy } from "./serverCommand";
import { effectiveValue, serverSettings, type Inspect } from "./serverSettings";
import type { StatusItem } from "./status";

/** The channel as the client sees it: `append` is only ever the server's stdout/stderr. */
function clientChannel(channel: vscode.LogOutputChannel): vscode.LogOutputChannel {
  return new Proxy(channel, {
    get(target, property) {
      if (property === "append") {
        return (text: string) => {
          const shown = serverStderrToShow(text);
          if (shown !== "") {
            target.append(shown);
          }
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * The client without pull diagnostics. vscode-languageclient 9 pulls only for documents shown
 * in a tab of their own, and a notebook's tab is the notebook: its cells would never get any.
 * Without the feature the client does not declare the capability, and the server pushes
 * diagnostics (with document versions) for every open document, notebook cells included.
 */
class PushDiagnosticsClient extends LanguageClient {
  override registerFeature(feature: Parameters<LanguageClient["registerFeature"]>[0]): void {
    if ("registrationType" in feature && feature.registrationType.method === DocumentDiagnosticRequest.method) {
      return;
    }
    super.registerFeature(feature);
  }
}

function inspectorFor(scope: vscode.Uri | undefined): Inspect {
  const config = vscode.workspace.getConfiguration("unleak", scope);
  return (key) => config.inspect(key);
}

export class ServerManager {
  private client: LanguageClient | undefined;
  private queue: Promise<void> = Promise.resolve();
  private lastNotified: string | undefined;
  /** Where the running server's interpreter came from (undefined: none found). */
  source: InterpreterSource | undefined;
  /** The Python and unleak the server runs on, which also run `unleak trace` (undefined: none found). */
  unleak: { python: string; strategy: ImportStrategy } | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly channel: vscode.LogOutputChannel,
    private readonly status: StatusItem,
  ) {}

  restart(reason: string): Promise<void> {
    return this.enqueue(async () => {
      this.channel.info(`(re)starting the server: ${reason}`);
      await this.stopClient();
      await this.startClient();
    });
  }

  stop(): Promise<void> {
    return this.enqueue(() => this.stopClient());
  }

  /** Settles when the queued starts and stops are done (source and unleak are then current). */
  settled(): Promise<void> {
    return this.queue;
  }

  /**
   * Tell the server a trace report changed, as the file watcher would: it then re-reads it
   * at once instead of at its next poll (within 2 s). A no-op when it is not running.
   */
  async reportChanged(file: string): Promise<void> {
    const client = this.client;
    if (client === undefined || !client.isRunning()) {
      return;
    }
    try {
      await client.sendNotification(DidChangeWatchedFilesNotification.type, {
        changes: [{ uri: vscode.Uri.file(file).toString(), type: FileChangeType.Changed }],
      });
    } catch (error) {
      this.channel.debug(`could not tell the server about ${file}: ${String(error)}`);
    }
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.queue.then(task);
    this.queue = run.catch((error: unknown) => {
      this.channel.error(`unexpected error: ${String(error)}`);
    });
    return this.queue;
  }

  private async startClient(): Promise<void> {
    const folder = vscode.workspace.workspaceFolders?.[0];
    const trusted = vscode.workspace.isTrusted;
    const config = inspectorFor(folder?.uri);
    // Untrusted: only the user's own interpreter setting, and only the bundled server (with
    // fromEnvironment, `-m unleak` could import a module from the workspace).
    const strategy: ImportStrategy = trusted
      ? parseImportStrategy(effectiveValue(config("importStrategy"), trusted))
      : "useBundled";
    const rawSetting = effectiveValue(config("interpreter"), trusted);
    const setting =
      typeof rawSetting === "string"
        ? expandPath(rawSetting, { workspaceFolder: folder?.uri.fsPath, home: os.homedir(), env: process.env })
        : "";
    const cwd = folder?.uri.fsPath ?? os.homedir();
    if (!trusted) {
      this.channel.info("untrusted workspace: using the bundled server and user-level settings only");
    }
    this.status.update({ kind: "starting" });
    const resolution = await resolveInterpreter({
      setting,
      // An untrusted workspace's own environment (its .venv) is not run either.
      pythonExtension: () => (trusted ? activeInterpreter(folder?.uri) : Promise.resolve(undefined)),
      pathCommands: process.platform === "win32" ? ["python", "python3"] : ["python3", "python"],
      probe: (command) => probePython(command, strategy, cwd),
      needUnleak: strategy === "fromEnvironment",
    });
    for (const note of resolution.notes) {
      this.channel.info(note);
    }
    if (!resolution.ok) {
      this.source = undefined;
      this.unleak = undefined;
      this.channel.error(resolution.message);
      this.status.update({ kind: "failed", message: "no suitable Python: see the logs" });
      this.notify(resolution.message);
      return;
    }
    const { interpreter } = resolution;
    this.source = interpreter.source;
    this.unleak = { python: interpreter.command, strategy };
    const python = formatVersion(interpreter.facts.version);
    const line = serverCommand(interpreter.command, strategy, this.context.extensionPath);
    this.channel.info(
      `Python ${python} (${interpreter.facts.executable}, from ${interpreter.source}); ` +
        `starting: ${line.command} ${line.args.join(" ")}`,
    );
    const serverOptions: ServerOptions = { command: line.command, args: line.args, options: { cwd } };
    const client = new PushDiagnosticsClient(CLIENT_ID, "unleak", serverOptions, this.clientOptions());
    this.client = client;
    client.onDidChangeState((event) => {
      if (this.client !== client) {
        return; // an old client stopping after a restart
      }
      if (event.newState === State.Running) {
        const serverVersion = client.initializeResult?.serverInfo?.version;
        this.status.update({ kind: "running", serverVersion, python, strategy });
      } else if (event.newState === State.Stopped) {
        this.status.update({ kind: "stopped" });
      } else {
        this.status.update({ kind: "starting" });
      }
    });
    try {
      await client.start();
    } catch (error) {
      const message = `unleak: the language server did not start (${interpreter.command}): ${String(error)}`;
      this.channel.error(message);
      this.status.update({ kind: "failed", message: "the server did not start: see the logs" });
      this.notify(message);
      return;
    }
    this.lastNotified = undefined; // a later failure is news again
    const serverVersion = client.initializeResult?.serverInfo?.version;
    this.channel.info(`server running: unleak ${serverVersion ?? "(version unknown)"}`);
    this.status.update({ kind: "running", serverVersion, python, strategy });
  }

  private clientOptions(): LanguageClientOptions {
    return {
      documentSelector: DOCUMENT_SELECTOR,
      outputChannel: clientChannel(this.channel),
      traceOutputChannel: this.channel,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      initializationOptions: serverSettings(inspectorFor(undefined)),
      middleware: {
        workspace: {
          // The server pulls its settings on didChangeConfiguration; answer with the
          // translated unleak.* settings rather than VS Code's raw section.
          configuration: async (params, token, next) => {
            const answer = await next(params, token);
            if (!Array.isArray(answer)) {
              return answer;
            }
            return params.items.map((item, index) =>
              item.section === "unleak"
                ? serverSettings(inspectorFor(item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined))
                : answer[index],
            );
          },
        },
      },
    };
  }

  private async stopClient(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client === undefined) {
      return;
    }
    try {
      await client.stop(2000);
    } catch (error) {
      this.channel.warn(`stopping the server: ${String(error)}`);
    }
    this.status.update({ kind: "stopped" });
  }

  /** One notification per distinct problem, with a way to the setting and to the logs. */
  private notify(message: string): void {
    if (this.lastNotified === message) {
      return;
    }
    this.lastNotified = message;
    const openSettings = "Open Settings";
    const showLogs = "Show Logs";
    void vscode.window.showErrorMessage(message, openSettings, showLogs).then((choice) => {
      if (choice === openSettings) {
        void vscode.commands.executeCommand("workbench.action.openSettings", "unleak.interpreter");
      } else if (choice === showLogs) {
        void vscode.commands.executeCommand(Commands.showLogs);
      }
    });
  }
}
