// Which work-done progress of the server is active (e.g. the project index it builds in the
// background), so the status item can say "indexing" until it ends. No "vscode" import.

export type ProgressToken = number | string;

interface Active {
  title: string;
  message: string | undefined;
}

export class ProgressState {
  private readonly active = new Map<ProgressToken, Active>();

  constructor(private readonly onChange: () => void = () => {}) {}

  begin(token: ProgressToken, title: string, message?: string): void {
    this.active.set(token, { title, message });
    this.onChange();
  }

  report(token: ProgressToken, message: string | undefined): void {
    const entry = this.active.get(token);
    if (entry !== undefined && message !== undefined) {
      entry.message = message;
      this.onChange();
    }
  }

  end(token: ProgressToken): void {
    if (this.active.delete(token)) {
      this.onChange();
    }
  }

  /** The server stopped: nothing of it is in progress any more. */
  clear(): void {
    if (this.active.size > 0) {
      this.active.clear();
      this.onChange();
    }
  }

  /** "Indexing the project: 120/400 files" for the latest active progress, else undefined. */
  text(): string | undefined {
    const last = [...this.active.values()].pop();
    if (last === undefined) {
      return undefined;
    }
    return last.message !== undefined && last.message !== "" ? `${last.title}: ${last.message}` : last.title;
  }
}
