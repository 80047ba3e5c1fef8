// The commands in package.json's contributes.commands.

import * as vscode from "vscode";
import { Commands } from "./commandIds";
import type { ServerManager } from "./languageServer";
import { FIX_ALL_KIND } from "./selector";
import { TraceCommand } from "./traceCommand";

export function registerCommands(
  context: vscode.ExtensionContext,
  manager: ServerManager,
  channel: vscode.LogOutputChannel,
): void {
  const trace = new TraceCommand(context, manager, channel);
  context.subscriptions.push(
    trace,
    vscode.commands.registerCommand(Commands.traceRun, () => trace.run()),
    vscode.commands.registerCommand(Commands.restart, () => manager.restart("the Restart Server command")),
    vscode.commands.registerCommand(Commands.showLogs, () => channel.show(true)),
    vscode.commands.registerCommand(Commands.fixAll, () => fixAll(channel)),
  );
}

/** Apply the server's source.fixAll.unleak action to the active editor's document. */
async function fixAll(channel: vscode.LogOutputChannel): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (editor === undefined || editor.document.languageId !== "python") {
    void vscode.window.showInformationMessage("unleak: open a Python file to fix its leaks.");
    return;
  }
  const document = editor.document;
  const whole = document.validateRange(new vscode.Range(0, 0, document.lineCount, 0));
  const actions =
    (await vscode.commands.executeCommand<vscode.CodeAction[] | undefined>(
      "vscode.executeCodeActionProvider",
      document.uri,
      whole,
      FIX_ALL_KIND,
    )) ?? [];
  const kind = vscode.CodeActionKind.Empty.append(FIX_ALL_KIND);
  const ours = actions.filter((action) => action.kind !== undefined && kind.contains(action.kind));
  if (ours.length === 0) {
    void vscode.window.showInformationMessage("unleak: nothing to fix automatically in this file.");
    return;
  }
  for (const action of ours) {
    if (action.edit !== undefined && !(await vscode.workspace.applyEdit(action.edit))) {
      channel.warn(`fix all: the edit was not applied to ${document.uri.toString()} (document changed?)`);
    }
    if (action.command !== undefined) {
      await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
    }
  }
}
