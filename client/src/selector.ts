// The documents the server checks: saved Python files, untitled Python buffers, and the Python
// cells of notebooks (each cell is its own document, in the vscode-notebook-cell scheme).
export const DOCUMENT_SELECTOR = [
  { scheme: "file", language: "python" },
  { scheme: "untitled", language: "python" },
  { scheme: "vscode-notebook-cell", language: "python" },
];

/** The code action kind of the server's fix-all action (server/unleak/lsp/actions.py). */
export const FIX_ALL_KIND = "source.fixAll.unleak";

/** The id of the client; VS Code reads `${CLIENT_ID}.trace.server` for LSP tracing. */
export const CLIENT_ID = "unleak";
