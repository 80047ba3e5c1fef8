// The language status item ("{}" in the status bar next to Python): the server's state and
// version; clicking it shows the logs.

import * as vscode from "vscode";
import { Commands } from "./commandIds";
import { DOCUMENT_SELECTOR } from "./selector";
import { statusText, type ServerState } from "./statusText";

const SEVERITY = {
  information: vscode.LanguageStatusSeverity.Information,
  warning: vscode.LanguageStatusSeverity.Warning,
  error: vscode.LanguageStatusSeverity.Error,
} as const;

export class StatusItem implements vscode.Disposable {
  private readonly item = vscode.languages.createLanguageStatusItem("unleak.status", DOCUMENT_SELECTOR);

  constructor() {
    this.item.name = "unleak";
    this.item.command = { title: "Show Logs", command: Commands.showLogs };
    this.update({ kind: "starting" });
  }

  update(state: ServerState): void {
    const text = statusText(state);
    this.item.text = text.text;
    this.item.detail = text.detail;
    this.item.severity = SEVERITY[text.severity];
    this.item.busy = text.busy;
  }

  dispose(): void {
    this.item.dispose();
  }
}
