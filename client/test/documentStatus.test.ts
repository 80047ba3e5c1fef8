import assert from "node:assert/strict";
import { test } from "node:test";
import { documentName, DocumentFailures, isDocumentStatus } from "../src/documentStatus";

test("one notification per document, the status lists the failing ones", () => {
  const failures = new DocumentFailures();
  const uri = "file:///work/app.py";
  assert.equal(failures.update({ uri, state: "error", message: "unleak could not check app.py: …" }), "unleak could not check app.py: …");
  assert.deepEqual(failures.names(), ["app.py"]);
  // Failing again, or again after recovering: no second notification.
  assert.equal(failures.update({ uri, state: "error", message: "again" }), undefined);
  assert.equal(failures.update({ uri, state: "ok" }), undefined);
  assert.deepEqual(failures.names(), []);
  assert.equal(failures.update({ uri, state: "error", message: "again" }), undefined);
  assert.deepEqual(failures.names(), ["app.py"]);
  // Another document is news; a restart clears the list but not what was already said.
  assert.match(failures.update({ uri: "file:///work/b%20c.py", state: "error" }) ?? "", /could not check b c\.py/);
  failures.clear();
  assert.deepEqual(failures.names(), []);
  assert.equal(failures.update({ uri, state: "error" }), undefined);
});

test("notification params are checked; names of files and notebook cells", () => {
  assert.ok(isDocumentStatus({ uri: "file:///a.py", state: "ok" }));
  assert.ok(!isDocumentStatus({ uri: "file:///a.py", state: "broken" }));
  assert.ok(!isDocumentStatus(null));
  assert.equal(documentName("vscode-notebook-cell:/work/nb.ipynb#W0sZmlsZQ%3D%3D"), "nb.ipynb");
  assert.equal(documentName("untitled:Untitled-1"), "untitled:Untitled-1");
});
