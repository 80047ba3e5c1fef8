import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { anchorOfPath, rewriteRuleLinks, ruleAnchor, rulePath, ruleSection, showRuleLink, slug } from "../src/ruleLinks";

const rulesMd = readFileSync(path.join(process.cwd(), "docs", "rules.md"), "utf8");

test("links to an installed docs/rules.md are recognised, others are not", () => {
  assert.equal(ruleAnchor("file:///home/u/.vscode/extensions/unleak.unleak-0.1.0/docs/rules.md#ul101-not-released"), "ul101-not-released");
  assert.equal(ruleAnchor("file:///c%3A/ext/docs/rules.md#ul001-syntax-error"), "ul001-syntax-error");
  assert.equal(ruleAnchor("https://example.org/docs/rules.md#ul101-not-released"), undefined);
  assert.equal(ruleAnchor("file:///x/docs/rules.md"), undefined);
  assert.equal(ruleAnchor("file:///x/README.md#ul101-not-released"), undefined);
});

test("hover Markdown links become unleak.showRule command links", () => {
  const markdown = "**UL101** `not-released`: A resource … [Full rule](file:///ext/docs/rules.md#ul101-not-released)";
  const link = showRuleLink("ul101-not-released");
  assert.equal(link, "command:unleak.showRule?%5B%22ul101-not-released%22%5D");
  assert.equal(rewriteRuleLinks(markdown), `**UL101** \`not-released\`: A resource … [Full rule](${link})`);
  const other = "[site](https://example.org/x#y) [f](file:///a/b.md#c)";
  assert.equal(rewriteRuleLinks(other), other);
});

test("a rule's section of the shipped docs/rules.md, by its anchor", () => {
  const section = ruleSection(rulesMd, "ul101-not-released");
  assert.ok(section !== undefined);
  assert.ok(section.startsWith("## UL101 not-released\n"));
  assert.ok(section.includes("### What it does") && section.includes("### Use instead"));
  assert.ok(!section.includes("## UL102"));
  // The last rule runs to the end; an unknown anchor has none.
  assert.ok(ruleSection(rulesMd, "ul109-cache-keeps-instances")?.startsWith("## UL109 cache-keeps-instances\n"));
  assert.equal(ruleSection(rulesMd, "ul999-nothing"), undefined);
  // Every rule of the table has its section.
  for (const [, anchor] of rulesMd.matchAll(/\]\(#(ul\d+-[a-z-]+)\)/g)) {
    assert.ok(ruleSection(rulesMd, anchor ?? "") !== undefined, anchor);
  }
});

test("headings in code blocks do not count; paths and slugs", () => {
  const text = "## UL1 a\n```python\n## UL2 b\n```\nbody\n## UL2 b\nsecond\n";
  assert.equal(ruleSection(text, "ul1-a"), "## UL1 a\n```python\n## UL2 b\n```\nbody\n");
  assert.equal(slug("UL101 not-released"), "ul101-not-released");
  assert.equal(anchorOfPath(rulePath("ul101-not-released")), "ul101-not-released");
  assert.equal(anchorOfPath("/../etc/passwd.md"), undefined);
});
