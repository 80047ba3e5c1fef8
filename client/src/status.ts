// The language status item ("{}" in the status bar next to Python): the server's state in
// words, the Python it runs on, "indexing" while the server reports progress, and an error
// when a document could not be analysed; clicking it shows the logs.

import * as vscode from "vscode";
import { Commands } from "./commandIds";
import { DOCUMENT_SELECTOR } from "./selector";
import { statusText, type ServerState, type StatusView } from "./statusText";

const SEVERITY = {
  information: vscode.LanguageStatusSeverity.Information,
  warning: vscode.LanguageStatusSeverity.Warning,
  error: vscode.LanguageStatusSeverity.Error,
} as const;

export class StatusItem implements vscode.Disposable {
  private readonly item = vscode.languages.createLanguageStatusItem("unleak.status", DOCUMENT_SELECTOR);
  private view: StatusView = { server: { kind: "starting" } };

  constructor() {
    this.item.name = "unleak";
    this.item.command = { title: "Show Logs", command: Commands.showLogs };
    this.render();
  }

  /** The server's own state; a new server starts with no progress and no failed document. */
  update(server: ServerState): void {
    const fresh = server.kind !== "running";
    this.view = fresh ? { server } : { ...this.view, server };
    this.render();
  }

  setIndexing(indexing: string | undefined): void {
    this.view = { ...this.view, indexing };
    this.render();
  }

  setFailedDocuments(names: readonly string[]): void {
    this.view = { ...this.view, failedDocuments: [...names] };
    this.render();
  }

  private render(): void {
    const text = statusText(this.view);
    this.item.text = text.text;
    this.item.detail = text.detail;
    this.item.severity = SEVERITY[text.severity];
    this.item.busy = text.busy;
  }

  dispose(): void {
    this.item.dispose();
  }
}
