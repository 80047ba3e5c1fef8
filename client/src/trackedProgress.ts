// The server's work-done progress (window/workDoneProgress/create, then $/progress): shown by
// vscode-languageclient's own ProgressPart as usual, and followed in a ProgressState so the
// status item can say "indexing" while one is active. It replaces the client's
// ProgressFeature (see languageServer.ts), whose parts cannot be observed from outside.

import type { Disposable } from "vscode";
import {
  WorkDoneProgress,
  WorkDoneProgressCreateRequest,
  type BaseLanguageClient,
  type ClientCapabilities,
  type FeatureState,
  type ProgressToken,
  type StaticFeature,
  type WorkDoneProgressBegin,
  type WorkDoneProgressEnd,
  type WorkDoneProgressReport,
} from "vscode-languageclient/node";
import { ProgressPart, type ProgressContext } from "vscode-languageclient/lib/common/progressPart";
import type { ProgressState } from "./progressState";

type Value = WorkDoneProgressBegin | WorkDoneProgressReport | WorkDoneProgressEnd;

export class TrackedProgressFeature implements StaticFeature {
  private readonly parts = new Set<ProgressPart>();

  constructor(
    private readonly client: BaseLanguageClient,
    private readonly state: ProgressState,
  ) {}

  getState(): FeatureState {
    return { kind: "static" };
  }

  fillClientCapabilities(capabilities: ClientCapabilities): void {
    capabilities.window = { ...capabilities.window, workDoneProgress: true };
  }

  initialize(): void {
    this.client.onRequest(WorkDoneProgressCreateRequest.type, ({ token }) => {
      const context: ProgressContext = {
        onProgress: (type, progressToken, handler): Disposable =>
          this.client.onProgress(type, progressToken, (value) => {
            if (type === WorkDoneProgress.type) {
              this.track(progressToken, value as Value);
            }
            handler(value);
          }),
        sendNotification: (type, params) => void this.client.sendNotification(type, params),
      };
      const part = new ProgressPart(context, token, (done) => {
        this.parts.delete(done);
        this.state.end(token);
      });
      this.parts.add(part);
    });
  }

  clear(): void {
    for (const part of this.parts) {
      part.done();
    }
    this.parts.clear();
    this.state.clear();
  }

  private track(token: ProgressToken, value: Value): void {
    if (value.kind === "begin") {
      this.state.begin(token, value.title, value.message);
    } else if (value.kind === "report") {
      this.state.report(token, value.message);
    } else {
      this.state.end(token);
    }
  }
}
