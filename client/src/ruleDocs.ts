// The rules' documentation inside VS Code, offline: docs/rules.md ships in the .vsix. An
// `unleak-rule:/ul101-not-released.md` document holds one rule's section of it (diagnostic
// codes link there), and unleak.showRule opens that document in a Markdown preview (the hover's
// "Full rule" link runs it). The link rewriting is in ruleLinks.ts.

import { promises as fs } from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import { Commands } from "./commandIds";
import { anchorOfPath, RULE_SCHEME, RULES_MD, rulePath, ruleSection } from "./ruleLinks";

export function ruleUri(anchor: string): vscode.Uri {
  return vscode.Uri.from({ scheme: RULE_SCHEME, path: rulePath(anchor) });
}

class RuleDocuments implements vscode.TextDocumentContentProvider {
  private text: Promise<string> | undefined;

  constructor(private readonly file: string) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const anchor = anchorOfPath(uri.path);
    this.text ??= fs.readFile(this.file, "utf8");
    let markdown: string;
    try {
      markdown = await this.text;
    } catch (error) {
      this.text = undefined;
      return `The rule documentation is missing from the extension (${this.file}): ${String(error)}\n`;
    }
    const section = anchor !== undefined ? ruleSection(markdown, anchor) : undefined;
    return section ?? `No rule \`${uri.path}\` in ${this.file}.\n`;
  }
}

export function registerRuleDocs(context: vscode.ExtensionContext): void {
  const file = path.join(context.extensionPath, ...RULES_MD);
  context.subscriptions.push(
    vscode.workspace.registerTextDocumentContentProvider(RULE_SCHEME, new RuleDocuments(file)),
    vscode.commands.registerCommand(Commands.showRule, async (anchor: unknown) => {
      if (typeof anchor !== "string" || anchor === "") {
        return;
      }
      const uri = ruleUri(anchor);
      try {
        await vscode.commands.executeCommand("markdown.showPreview", uri);
      } catch {
        // No Markdown preview (the built-in extension disabled): the text, then.
        await vscode.window.showTextDocument(uri, { preview: true });
      }
    }),
  );
}
