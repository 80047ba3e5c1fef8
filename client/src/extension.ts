// Entry point: wires the output channel, status item, server and commands together.

import * as vscode from "vscode";
import { registerCommands } from "./commands";
import { ServerManager } from "./languageServer";
import { onActiveInterpreterChange } from "./pythonExtension";
import { registerRuleDocs } from "./ruleDocs";
import { RESTART_KEYS } from "./serverSettings";
import { StatusItem } from "./status";

let manager: ServerManager | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  // A LogOutputChannel: the client's and the server's (window/logMessage) lines, with levels.
  const channel = vscode.window.createOutputChannel("unleak", { log: true });
  const status = new StatusItem();
  const server = new ServerManager(context, channel, status);
  manager = server;
  context.subscriptions.push(channel, status);
  channel.info(`unleak extension ${String(context.extension.packageJSON.version)}`);
  registerCommands(context, server, channel);
  registerRuleDocs(context);

  // Other unleak.* settings reach the running server: it pulls workspace/configuration
  // when the client sends didChangeConfiguration (it registers for the unleak section).
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((event) => {
      const key = RESTART_KEYS.find((k) => event.affectsConfiguration(k));
      if (key !== undefined) {
        void server.restart(`${key} changed`);
      }
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => void server.restart("the workspace is now trusted")),
  );
  void server.restart("activation");
  // Subscribed after the start is queued: the Python extension may take a while to activate.
  try {
    const subscription = await onActiveInterpreterChange(() => {
      if (server.source !== "setting") {
        void server.restart("the Python extension's interpreter changed");
      }
    });
    if (subscription !== undefined) {
      context.subscriptions.push(subscription);
    }
  } catch (error) {
    channel.warn(`the Python extension's API is not available: ${String(error)}`);
  }
}

export function deactivate(): Promise<void> | undefined {
  return manager?.stop();
}
