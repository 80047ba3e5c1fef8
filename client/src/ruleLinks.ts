// Links to a rule's documentation, offline. The server links each rule to the docs/rules.md
// installed with it (`file:///…/docs/rules.md#ul101-not-released`, server/unleak/lsp/rule_docs.py);
// the extension ships that file too. Here those links become:
//   - for a diagnostic's code (Problems, the diagnostic hover): an `unleak-rule:` URI, a
//     read-only document holding that rule's section of the shipped docs/rules.md;
//   - in hover Markdown: a `command:unleak.showRule` link that opens the same section in a
//     Markdown preview (VS Code runs command links only from trusted Markdown).
// No "vscode" import.

/** The scheme of the documents that hold one rule's documentation. */
export const RULE_SCHEME = "unleak-rule";
/** The command that opens a rule's documentation (package.json contributes it). */
export const SHOW_RULE_COMMAND = "unleak.showRule";
/** Where the documentation is, relative to the extension (and to an unleak checkout). */
export const RULES_MD = ["docs", "rules.md"] as const;

const ANCHOR = /^ul\d+-[a-z0-9-]+$/;
const RULES_MD_LINK = /\]\((file:\/\/[^)\s]*\/docs\/rules\.md#([^)\s]+))\)/g;

/** The rule anchor of a link to an installed docs/rules.md, or undefined for any other link. */
export function ruleAnchor(link: string): string | undefined {
  const match = /^file:\/\/.*\/docs\/rules\.md#([^#]+)$/.exec(link);
  const anchor = match?.[1];
  return anchor !== undefined && ANCHOR.test(anchor) ? anchor : undefined;
}

/** The path (in the unleak-rule scheme) of the document holding a rule. */
export function rulePath(anchor: string): string {
  return `/${anchor}.md`;
}

/** The anchor a unleak-rule document path stands for. */
export function anchorOfPath(path: string): string | undefined {
  const anchor = /^\/([^/]+)\.md$/.exec(path)?.[1];
  return anchor !== undefined && ANCHOR.test(anchor) ? anchor : undefined;
}

/** A `command:` link running unleak.showRule with the anchor. */
export function showRuleLink(anchor: string): string {
  return `command:${SHOW_RULE_COMMAND}?${encodeURIComponent(JSON.stringify([anchor]))}`;
}

/** Markdown with its links to an installed docs/rules.md turned into unleak.showRule links. */
export function rewriteRuleLinks(markdown: string): string {
  return markdown.replace(RULES_MD_LINK, (whole, _link: string, anchor: string) =>
    ANCHOR.test(anchor) ? `](${showRuleLink(anchor)})` : whole,
  );
}

/** The anchor GitHub (and unleak.docs.github_slug) gives a heading. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\w\- ]/g, "")
    .replace(/ /g, "-");
}

/**
 * One rule's section of docs/rules.md: from its `## ` heading to the next one (headings inside
 * fenced code do not count), or undefined when no heading has that anchor.
 */
export function ruleSection(markdown: string, anchor: string): string | undefined {
  const lines = markdown.split(/\r?\n/);
  let start = -1;
  let fenced = false;
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index] ?? "";
    if (line.trimStart().startsWith("```")) {
      fenced = !fenced;
      continue;
    }
    if (fenced || !line.startsWith("## ")) {
      continue;
    }
    if (start >= 0) {
      return lines.slice(start, index).join("\n").trimEnd() + "\n";
    }
    if (slug(line.slice(3)) === anchor) {
      start = index;
    }
  }
  return start >= 0 ? lines.slice(start).join("\n").trimEnd() + "\n" : undefined;
}
