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

// vscode-languageclient writes its own messages and the server's window/logMessage records to
// the channel with appendLine, as "[Error - 10:12:01 AM] text": a log channel shows each of
// them as "[info] [Error - 10:12:01 AM] text", and every exit of the server process as an
// error, "Server process exited with code 0.", even a clean one after a stop.
const CLIENT_LINE = /^\[(Error|Warn|Info|Debug|Trace)\s*- [^\]]*\] (.*)$/s;
const CLEAN_EXIT = /^Server process exited with code 0\.?$/;
// Debug and trace lines stay as written: the server sends them only when unleak.logLevel asks
// for them, and at the channel's own debug level the channel's default (info) would hide them.
const LEVELS = { Error: "error", Warn: "warn", Info: "info" } as const;

export type LogLevel = "error" | "warn" | "info" | "debug";

/**
 * How to log one line the language client writes to the channel: at its own level, without
 * the client's level and time (the channel adds both); a clean exit (code 0) is information,
 * not an error. Undefined for any other line (logged as the client wrote it).
 */
export function clientLineToLog(line: string): { level: LogLevel; text: string } | undefined {
  const match = CLIENT_LINE.exec(line);
  if (match === null) {
    return undefined;
  }
  const text = match[2] ?? "";
  if (CLEAN_EXIT.test(text)) {
    return { level: "info", text: "the server process exited (code 0)" };
  }
  const level = LEVELS[match[1] as keyof typeof LEVELS];
  return level === undefined ? undefined : { level, text };
}
