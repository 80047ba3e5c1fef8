// What the language status item says in each state of the server. No "vscode" import.

export type ServerState =
  | { kind: "starting" }
  | { kind: "running"; serverVersion: string | undefined; python: string; strategy: string }
  | { kind: "stopped" }
  | { kind: "failed"; message: string };

export interface StatusText {
  text: string;
  detail: string;
  severity: "information" | "warning" | "error";
  busy: boolean;
}

export function statusText(state: ServerState): StatusText {
  switch (state.kind) {
    case "starting":
      return { text: "unleak", detail: "starting…", severity: "information", busy: true };
    case "running": {
      const version = state.serverVersion !== undefined ? ` ${state.serverVersion}` : "";
      const where = state.strategy === "fromEnvironment" ? "from the environment" : "bundled";
      return {
        text: `unleak${version}`,
        detail: `server ${where}, Python ${state.python}`,
        severity: "information",
        busy: false,
      };
    }
    case "stopped":
      return { text: "unleak", detail: "server stopped", severity: "warning", busy: false };
    case "failed":
      return { text: "unleak", detail: state.message, severity: "error", busy: false };
  }
}
