// What the language status item says: the server's state in words (starting, ready,
// indexing, error, stopped) and the Python it runs on. No "vscode" import.

export type ServerState =
  | { kind: "starting"; python?: string | undefined }
  | { kind: "running"; serverVersion: string | undefined; python: string; strategy: string }
  | { kind: "stopped" }
  | { kind: "failed"; message: string };

export interface StatusView {
  server: ServerState;
  /** The title (and message) of the server's work-done progress, while one is active. */
  indexing?: string | undefined;
  /** The names of the open documents whose analysis failed (an internal error). */
  failedDocuments?: readonly string[];
}

export interface StatusText {
  text: string;
  detail: string;
  severity: "information" | "warning" | "error";
  busy: boolean;
}

function running(state: Extract<ServerState, { kind: "running" }>): string {
  const version = state.serverVersion !== undefined ? ` ${state.serverVersion}` : "";
  const where = state.strategy === "fromEnvironment" ? "from the environment" : "bundled";
  return `Python ${state.python}, unleak${version} ${where}`;
}

function names(documents: readonly string[]): string {
  const shown = documents.slice(0, 3).join(", ");
  return documents.length > 3 ? `${shown} and ${documents.length - 3} more` : shown;
}

export function statusText(view: StatusView | ServerState): StatusText {
  const { server, indexing, failedDocuments = [] } = "server" in view ? view : { server: view };
  switch (server.kind) {
    case "starting": {
      const python = server.python !== undefined ? `Python ${server.python}` : "looking for Python…";
      return { text: "unleak: starting", detail: python, severity: "information", busy: true };
    }
    case "running": {
      const python = running(server);
      if (failedDocuments.length > 0) {
        return {
          text: "unleak: error",
          detail: `could not check ${names(failedDocuments)} (internal error: see the logs); ${python}`,
          severity: "error",
          busy: false,
        };
      }
      if (indexing !== undefined) {
        return { text: "unleak: indexing", detail: `${indexing}; ${python}`, severity: "information", busy: true };
      }
      return { text: "unleak: ready", detail: python, severity: "information", busy: false };
    }
    case "stopped":
      return { text: "unleak: stopped", detail: "the server is not running", severity: "warning", busy: false };
    case "failed":
      return { text: "unleak: error", detail: server.message, severity: "error", busy: false };
  }
}
