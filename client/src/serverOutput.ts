// What of the server's stderr reaches the output channel. No "vscode" import.
//
// The server writes each log record twice: to stderr ("unleak-lsp LEVEL: message") and as
// window/logMessage, which the channel shows with its time and level. The stderr copy is
// dropped. A record is written in one piece, so it arrives within one chunk; it runs to the
// next record or the chunk's end (with its traceback, which the logMessage copy also has).
// pygls' "Cancel notification for unknown message id" is dropped too: VS Code cancels requests
// that the server has already answered, which is harmless and frequent while typing.
// Everything else (a crash's traceback, the launcher's messages) is kept.

const RECORD_START = /^unleak-lsp (DEBUG|INFO|WARNING|ERROR|CRITICAL): /;
const LATE_CANCEL = /^Cancel notification for unknown message id "?[\w-]+"?\s*$/;

export function serverStderrToShow(chunk: string): string {
  const kept: string[] = [];
  let inRecord = false;
  for (const line of chunk.split(/(?<=\n)/)) {
    if (RECORD_START.test(line)) {
      inRecord = true;
    }
    if (!inRecord && !LATE_CANCEL.test(line)) {
      kept.push(line);
    }
  }
  return kept.join("");
}

// vscode-languageclient logs every exit of the server process as an error,
// "[Error - 10:12:01] Server process exited with code 0.", even a clean one after a stop.
const CLIENT_LINE = /^\[(Error|Warn|Info|Debug|Trace)\s*- [^\]]*\] (.*)$/s;
const CLEAN_EXIT = /^Server process exited with code 0\.?$/;

export type LogLevel = "error" | "warn" | "info" | "debug";

/**
 * How to log one line the language client writes to the channel: a clean exit (code 0) is
 * information, not an error; undefined for any other line (logged as the client wrote it).
 */
export function clientLineToLog(line: string): { level: LogLevel; text: string } | undefined {
  const match = CLIENT_LINE.exec(line);
  if (match === null || !CLEAN_EXIT.test(match[2] ?? "")) {
    return undefined;
  }
  return { level: "info", text: "the server process exited (code 0)" };
}
