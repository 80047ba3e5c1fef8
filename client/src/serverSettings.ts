// VS Code's unleak.* settings -> the object the server reads from initializationOptions and
// workspace/configuration (server/unleak/lsp/settings.py). No "vscode" import.
//
// Only keys the user actually set are sent: the server lets a given key win over
// pyproject.toml [tool.unleak], so sending VS Code's defaults would silently override the
// project's own configuration. Client-only keys (interpreter, importStrategy, trace) are
// never sent: the server reports unknown keys as problems.

/** The shape of vscode.WorkspaceConfiguration.inspect()'s result. */
export interface Inspection {
  defaultValue?: unknown;
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
  globalLanguageValue?: unknown;
  workspaceLanguageValue?: unknown;
  workspaceFolderLanguageValue?: unknown;
}

export type Inspect = (key: string) => Inspection | undefined;

/** The server's setting keys (settings.py _CLIENT_KEYS), the same names under unleak.* here. */
export const SERVER_KEYS = [
  "enable",
  "select",
  "extendSelect",
  "ignore",
  "severity",
  "unlikelySeverity",
  "extraResources",
  "logLevel",
  "maxFileSize",
  "showSyntaxErrors",
] as const;

export type ServerKey = (typeof SERVER_KEYS)[number];

// From least to most specific, as VS Code orders them.
const ALL_SCOPES = [
  "globalValue",
  "workspaceValue",
  "workspaceFolderValue",
  "globalLanguageValue",
  "workspaceLanguageValue",
  "workspaceFolderLanguageValue",
] as const;
const USER_SCOPES = ["globalValue", "globalLanguageValue"] as const;

/**
 * The most specific value the user set (null counts as unset), or undefined.
 * `trusted: false` reads only the user's own (global) settings: in an untrusted workspace,
 * the workspace must not choose what gets executed.
 */
export function userValue(inspection: Inspection | undefined, trusted = true): unknown {
  if (inspection === undefined) {
    return undefined;
  }
  let value: unknown = undefined;
  for (const scope of trusted ? ALL_SCOPES : USER_SCOPES) {
    const candidate = inspection[scope];
    if (candidate !== undefined && candidate !== null) {
      value = candidate;
    }
  }
  return value;
}

/** userValue, else the default. */
export function effectiveValue(inspection: Inspection | undefined, trusted = true): unknown {
  return userValue(inspection, trusted) ?? inspection?.defaultValue;
}

export function serverSettings(inspect: Inspect): Partial<Record<ServerKey, unknown>> {
  const result: Partial<Record<ServerKey, unknown>> = {};
  for (const key of SERVER_KEYS) {
    const value = userValue(inspect(key));
    if (value === undefined) {
      continue;
    }
    if ((key === "severity" || key === "unlikelySeverity") && isEmptyObject(value)) {
      continue; // {} says nothing, and the settings UI writes it when entries are removed
    }
    result[key] = value;
  }
  return result;
}

function isEmptyObject(value: unknown): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;
}

/** Settings whose change needs a new server process rather than a configuration pull. */
export const RESTART_KEYS = ["unleak.interpreter", "unleak.importStrategy"] as const;
