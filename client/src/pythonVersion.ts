// What a Python interpreter says about itself, and whether it can run the unleak server.
// No "vscode" import: unit tested with node --test.

/** The oldest Python the server supports (pyproject.toml: requires-python >= 3.10). */
export const MINIMUM_PYTHON: readonly [number, number] = [3, 10];

/** What the probe script prints, parsed. */
export interface PythonFacts {
  version: readonly number[];
  executable: string;
  /** unleak's version in the interpreter's own environment, null when it does not import. */
  unleak: string | null;
}

// One line of JSON. Python 2 can run it too, so an old interpreter is reported by version
// rather than as a syntax error.
const PROBE_HEAD = "import json, sys\n";
const PROBE_UNLEAK =
  "try:\n    import unleak\n    v = unleak.__version__\nexcept Exception:\n    v = None\n";
const PROBE_TAIL =
  "print(json.dumps({'version': list(sys.version_info[:3]), 'executable': sys.executable, 'unleak': v}))\n";

/** The script run as `python -c SCRIPT`; importing unleak only when that unleak will run. */
export function probeScript(withUnleak: boolean): string {
  return PROBE_HEAD + (withUnleak ? PROBE_UNLEAK : "v = None\n") + PROBE_TAIL;
}

/** Parse the probe's output (its last non-empty line); throws with a readable message. */
export function parseProbeOutput(stdout: string): PythonFacts {
  const line = stdout
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .pop();
  if (line === undefined) {
    throw new Error("printed nothing");
  }
  let data: unknown;
  try {
    data = JSON.parse(line);
  } catch {
    throw new Error(`printed something unexpected: ${line.slice(0, 200)}`);
  }
  if (typeof data !== "object" || data === null) {
    throw new Error(`printed something unexpected: ${line.slice(0, 200)}`);
  }
  const record = data as Record<string, unknown>;
  const version = record["version"];
  if (!Array.isArray(version) || version.length < 2 || !version.every(Number.isInteger)) {
    throw new Error(`printed no version: ${line.slice(0, 200)}`);
  }
  const executable = typeof record["executable"] === "string" ? record["executable"] : "";
  const unleak = typeof record["unleak"] === "string" ? record["unleak"] : null;
  return { version: version as number[], executable, unleak };
}

/** True when `version` (major, minor, ...) is at least `minimum`. */
export function isAtLeast(version: readonly number[], minimum: readonly number[] = MINIMUM_PYTHON): boolean {
  for (let i = 0; i < minimum.length; i++) {
    const have = version[i] ?? 0;
    const want = minimum[i] ?? 0;
    if (have !== want) {
      return have > want;
    }
  }
  return true;
}

export function formatVersion(version: readonly number[]): string {
  return version.join(".");
}
