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
  type ClientCapabilities,
  type FeatureState,
  type LanguageClientOptions,
  type ServerOptions,
  type StaticFeature,
} from "vscode-languageclient/node";
import { ProgressFeature } from "vscode-languageclient/lib/common/progress";
import { Commands } from "./commandIds";
import {
  DOCUMENT_STATUS_CAPABILITY,
  DOCUMENT_STATUS_METHOD,
  DocumentFailures,
  isDocumentStatus,
} from "./documentStatus";
import { expandPath, resolveInterpreter, type InterpreterSource } from "./interpreter";
import { probePython } from "./probe";
import { ProgressState } from "./progressState";
import { activeInterpreter } from "./pythonExtension";
import { formatVersion } from "./pythonVersion";
import { ruleUri } from "./ruleDocs";
import { rewriteRuleLinks, ruleAnchor, SHOW_RULE_COMMAND } from "./ruleLinks";
import { clientLineToLog, serverStderrToShow } from "./serverOutput";
import { CLIENT_ID, DOCUMENT_SELECTOR } from "./selector";
import { parseImportStrategy, serverCommand, type ImportStrategy } from "./serverCommand";
import { effectiveValue, serverSettings, type Inspect } from "./serverSettings";
import type { StatusItem } from "./status";
import { TrackedProgressFeature } from "./trackedProgress";

/**
 * The channel as the client sees it: `append` is only ever the server's stdout/stderr, and
 * `appendLine` the client's own messages (a clean exit is logged as information there).
 */
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
      if (property === "appendLine") {
        return (line: string) => {
          const relogged = clientLineToLog(line);
          if (relogged === undefined) {
            target.appendLine(line);
          } else {
            target[relogged.level](relogged.text);
          }
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** Declares capabilities.experimental.unleak.documentStatus (see documentStatus.ts). */
class DocumentStatusFeature implements StaticFeature {
  getState(): FeatureState {
    return { kind: "static" };
  }

  fillClientCapabilities(capabilities: ClientCapabilities): void {
    const experimental: unknown = capabilities.experimental;
    capabilities.experimental = {
      ...(typeof experimental === "object" && experimental !== null ? experimental : {}),
      ...DOCUMENT_STATUS_CAPABILITY,
    };
  }

  initialize(): void {}

  clear(): void {}
}

/**
 * The client without pull diagnostics. vscode-languageclient 9 pulls only for documents shown
 * in a tab of their own, and a notebook's tab is the notebook: its cells would never get any.
 * Without the feature the client does not declare the capability, and the server pushes
 * diagnostics (with document versions) for every open document, notebook cells included.
 * Its work-done progress is followed (TrackedProgressFeature instead of ProgressFeature), and
 * it asks for unleak/documentStatus notifications.
 */
class PushDiagnosticsClient extends LanguageClient {
  constructor(
    id: string,
    name: string,
    serverOptions: ServerOptions,
    clientOptions: LanguageClientOptions,
    progress: ProgressState,
  ) {
    super(id, name, serverOptions, clientOptions);
    super.registerFeature(new TrackedProgressFeature(this, progress));
    super.registerFeature(new DocumentStatusFeature());
  }

  override registerFeature(feature: Parameters<LanguageClient["registerFeature"]>[0]): void {
    if ("registrationType" in feature && feature.registrationType.method === DocumentDiagnosticRequest.method) {
      return;
    }
    if (feature instanceof ProgressFeature) {
      return;
    }
    super.registerFeature(feature);
  }
}

/** A diagnostic whose code links to the installed docs/rules.md links to the shipped rule instead. */
function withRuleLink(diagnostic: vscode.Diagnostic): vscode.Diagnostic {
  const code = diagnostic.code;
  if (typeof code === "object" && code !== null) {
    const anchor = ruleAnchor(code.target.toString(true));
    if (anchor !== undefined) {
      diagnostic.code = { value: code.value, target: ruleUri(anchor) };
    }
  }
  return diagnostic;
}

/** Hover Markdown with its rule links turned into (trusted) unleak.showRule links. */
function hoverWithRuleLinks(hover: vscode.Hover): vscode.Hover {
  const contents = hover.contents.map((content) => {
    if (!(content instanceof vscode.MarkdownString)) {
      return content;
    }
    const markdown = new vscode.MarkdownString(rewriteRuleLinks(content.value));
    markdown.isTrusted = { enabledCommands: [SHOW_RULE_COMMAND] };
    return markdown;
  });
  return new vscode.Hover(contents, hover.range);
}

function inspectorFor(scope: vscode.Uri | undefined): Inspect {
  const config = vscode.workspace.getConfiguration("unleak", scope);
  return (key) => config.inspect(key);
}

export class ServerManager {
  private client: LanguageClient | undefined;
  private queue: Promise<void> = Promise.resolve();
  private lastNotified: string | undefined;
  private readonly failures = new DocumentFailures();
  private readonly progress = new ProgressState(() => this.status.setIndexing(this.progress.text()));
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
    this.status.update({ kind: "starting", python });
    const line = serverCommand(interpreter.command, strategy, this.context.extensionPath);
    this.channel.info(
      `Python ${python} (${interpreter.facts.executable}, from ${interpreter.source}); ` +
        `starting: ${line.command} ${line.args.join(" ")}`,
    );
    const serverOptions: ServerOptions = { command: line.command, args: line.args, options: { cwd } };
    const client = new PushDiagnosticsClient(CLIENT_ID, "unleak", serverOptions, this.clientOptions(), this.progress);
    this.client = client;
    client.onDidChangeState((event) => {
      if (this.client !== client) {
        return; // an old client stopping after a restart
      }
      if (event.newState === State.Running) {
        const serverVersion = client.initializeResult?.serverInfo?.version;
        this.status.update({ kind: "running", serverVersion, python, strategy });
      } else {
        this.forgetServerState();
        this.status.update(event.newState === State.Stopped ? { kind: "stopped" } : { kind: "starting", python });
      }
    });
    client.onNotification(DOCUMENT_STATUS_METHOD, (params: unknown) => {
      if (this.client === client && isDocumentStatus(params)) {
        this.documentStatus(params);
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
      // Hovers may run one command: the rule documentation (ruleLinks.ts).
      markdown: { isTrusted: { enabledCommands: [SHOW_RULE_COMMAND] } },
      middleware: {
        handleDiagnostics: (uri, diagnostics, next) => next(uri, diagnostics.map(withRuleLink)),
        provideHover: async (document, position, token, next) => {
          const hover = await next(document, position, token);
          return hover ? hoverWithRuleLinks(hover) : hover;
        },
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
    this.forgetServerState();
    this.status.update({ kind: "stopped" });
  }

  /** What a stopped server reported (progress, failed documents) no longer holds. */
  private forgetServerState(): void {
    this.progress.clear();
    this.failures.clear();
    this.status.setFailedDocuments([]);
  }

  /** A document could not be analysed (or is fine again): the status item, and once per document a notification. */
  private documentStatus(params: Parameters<DocumentFailures["update"]>[0]): void {
    const news = this.failures.update(params);
    this.status.setFailedDocuments(this.failures.names());
    if (news === undefined) {
      return;
    }
    this.channel.error(news);
    const showLogs = "Show Logs";
    void vscode.window.showErrorMessage(news, showLogs).then((choice) => {
      if (choice === showLogs) {
        void vscode.commands.executeCommand(Commands.showLogs);
      }
    });
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
