// The unleak/documentStatus notifications of the server (server/unleak/lsp/doc_status.py): which
// open documents could not be analysed, and whether a failure is news for the user (one
// notification per document for the whole session). No "vscode" import.

export const DOCUMENT_STATUS_METHOD = "unleak/documentStatus";

/** What the client declares in capabilities.experimental to get those notifications. */
export const DOCUMENT_STATUS_CAPABILITY = { unleak: { documentStatus: true } } as const;

export interface DocumentStatusParams {
  uri: string;
  state: "error" | "ok";
  message?: string;
}

export function isDocumentStatus(value: unknown): value is DocumentStatusParams {
  if (typeof value !== "object" || value === null) {
    return false;
  }
  const record = value as Record<string, unknown>;
  return typeof record.uri === "string" && (record.state === "error" || record.state === "ok");
}

/** The file name a URI shows as (a notebook cell: its notebook's). */
export function documentName(uri: string): string {
  const path = uri.replace(/[?#].*$/, "");
  const last = path.split("/").filter((part) => part !== "").pop() ?? uri;
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

export class DocumentFailures {
  private readonly failed = new Map<string, string>();
  private readonly notified = new Set<string>();

  /** Apply one notification; returns the message to show when the failure is news. */
  update(params: DocumentStatusParams): string | undefined {
    if (params.state === "ok") {
      this.failed.delete(params.uri);
      return undefined;
    }
    const name = documentName(params.uri);
    this.failed.set(params.uri, name);
    if (this.notified.has(params.uri)) {
      return undefined;
    }
    this.notified.add(params.uri);
    return params.message ?? `unleak could not check ${name}: an internal error (see the logs)`;
  }

  /** The server stopped: the documents will be analysed again by the next one. */
  clear(): void {
    this.failed.clear();
  }

  names(): string[] {
    return [...this.failed.values()];
  }
}
