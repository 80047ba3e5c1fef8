"""The VS Code extension end to end, in real VS Code: code-server (the web build of VS Code)
driven through Debian's chromium with playwright-core, by tests/e2e/vscode/run.mjs.

The driver installs the packaged extension (unleak-<version>.vsix at the repository root,
built by scripts/setup.sh) into a fresh extensions folder, starts code-server on 127.0.0.1
with fresh user data (auto save off; `unleak.interpreter` a plain Python 3.10+, so the server
runs from the libraries bundled in the .vsix), opens a fresh workspace and, like a person,
opens a leaky file, waits for the squiggle and the Problems entry, hovers the squiggle, presses
Ctrl+. and applies the quick fix, saves with Ctrl+S, types a new leak, traces a program, types
an unfinished function (no syntax error flashes while typing) and an unfinished line inside a
flagged function (its warning never blinks off), opens a file whose analysis fails on purpose
($UNLEAK_LSP_FAULT: a notification, once, and the status item say so) and a notebook with a
leak in a cell (squiggle, quick fix, save), and restarts the server (status item in words, a
clean exit logged as information). This test checks what the driver saw and the files it
saved.

Where `unshare` can make a network namespace (root), the run has the loopback device only.
Screenshots of each step and the logs go to tests/e2e/artifacts/vscode/ (printed).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from .conftest import ROOT, TOOLS, missing, which

DRIVER = ROOT / "tests" / "e2e" / "vscode" / "run.mjs"
CHROMIUM = Path("/usr/bin/chromium")
TIMEOUT_S = 480

FIXED = """\
def read_config(path):
    with open(path) as f:
        data = f.read()
    return data
"""
TYPED = "def first_line(path):\n    return open(path).readline()"


def vsix() -> Path:
    """The .vsix that scripts/setup.sh packages: unleak-<version>.vsix at the root."""
    manifest = ROOT / "package.json"
    if not manifest.is_file():
        missing("no package.json: the VS Code extension is not in this checkout")
    version = json.loads(manifest.read_text())["version"]
    path = Path(os.environ.get("UNLEAK_E2E_VSIX") or ROOT / f"unleak-{version}.vsix")
    if not path.is_file():
        missing(f"{path.name} is not built (scripts/setup.sh packages it)")
    return path


def extension_python() -> str:
    """A Python >= 3.10 outside the project's virtual environment if there is one (so the
    extension's bundled libraries are what runs), else the environment's own."""
    for candidate in ("/usr/bin/python3", shutil.which("python3")):
        if not candidate:
            continue
        probe = subprocess.run(
            [candidate, "-c", "import sys; print(sys.version_info >= (3, 10))"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        if probe.stdout.strip() == "True":
            return candidate
    return sys.executable


def check_tools() -> None:
    if not CHROMIUM.is_file():
        missing(f"{CHROMIUM} is not installed (Debian package chromium)")
    for part, what in (
        (TOOLS / "stamps" / "node", "Node 24"),
        (TOOLS / "stamps" / "code-server", "code-server"),
        (TOOLS / "stamps" / "playwright", "playwright-core"),
    ):
        if not part.is_file():
            missing(f"{what} is not installed in {TOOLS}")


def network_isolation() -> list[str]:
    """`unshare -n` with the loopback device up, where this user may create namespaces."""
    unshare, ip = shutil.which("unshare"), shutil.which("ip") or "/usr/sbin/ip"
    if unshare is None or not Path(ip).is_file():
        return []
    probe = subprocess.run(
        [unshare, "-n", ip, "link", "set", "lo", "up"], capture_output=True, timeout=30
    )
    if probe.returncode != 0:
        return []
    return [unshare, "-n", "sh", "-c", f'{ip} link set lo up && exec "$@"', "unshare"]


def stop(proc: subprocess.Popen[str], artifacts: Path) -> None:
    """Stop a driver that overran: SIGTERM (it then stops code-server itself), then SIGKILL
    its process group and code-server's (whose id it left in the artefacts)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=15)
    groups = [proc.pid]
    pgid_file = artifacts / "code-server.pgid"
    if pgid_file.is_file():
        groups.append(int(pgid_file.read_text()))
    for group in groups:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(group, signal.SIGKILL)


def run_driver(artifacts: Path) -> dict[str, Any]:
    node = which("node")
    package = vsix()
    check_tools()
    env = {
        **os.environ,
        "UNLEAK_E2E_VSIX": str(package),
        "UNLEAK_E2E_TOOLS": str(TOOLS),
        "UNLEAK_E2E_ARTIFACTS": str(artifacts),
        "UNLEAK_E2E_PYTHON": os.environ.get("UNLEAK_E2E_PYTHON") or extension_python(),
        "UNLEAK_E2E_CHROMIUM": str(CHROMIUM),
    }
    isolation = network_isolation()
    # The driver has its own watchdog (UNLEAK_E2E_TOTAL_MS); this timeout is the backstop.
    env["UNLEAK_E2E_TOTAL_MS"] = str((TIMEOUT_S - 30) * 1000)
    with subprocess.Popen(
        [*isolation, node, str(DRIVER)],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    ) as proc:
        try:
            stdout, stderr = proc.communicate(timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            stop(proc, artifacts)
            stdout, stderr = proc.communicate()
            stderr += f"\n(killed after {TIMEOUT_S} s)"
    output = (
        f"network namespace: {'yes' if isolation else 'no'}\nexit code {proc.returncode}\n"
        f"stdout:\n{stdout}\nstderr:\n{stderr}"
    )
    (artifacts / "driver-output.txt").write_text(output)
    print(output)
    result_file = artifacts / "result.json"
    assert result_file.is_file(), f"the driver wrote no result\n{output}"
    result: dict[str, Any] = json.loads(result_file.read_text())
    assert result.get("ok") is True, (
        f"VS Code e2e failed: {result.get('error')}\n"
        f"screenshots: {result.get('screenshots')}\n"
        f"extension log (end):\n{result.get('extensionLogTail')}\n{output}"
    )
    return result


def test_vscode_extension(artifacts: Path) -> None:
    result = run_driver(artifacts)

    # The squiggle and the Problems entry for the leak on line 2.
    assert result["initialSquiggles"] == 1
    assert result["initialSeverity"] == "warning"
    assert result["initialSquiggleLine"] == [2]
    entry = next(p for p in result["problems"] if "UL101" in p)
    assert "The file `f` opened by `open(path)` is never closed; use `with`" in entry
    assert "[Ln 2, Col 9]" in entry

    # The hover: this leak's story, then one line of the rule with a link to its full text.
    hover = result["hover"]
    assert "UL101" in hover and "never closed" in hover
    assert "not-released" in hover
    assert "Full rule" in hover and "What it does" not in hover

    # Ctrl+. offered the fix and an ignore; the fix was applied and saved with Ctrl+S.
    actions = result["codeActions"]
    assert any("with" in a and "UL101" in a for a in actions), actions
    assert any(a.startswith("Ignore UL101") for a in actions), actions
    assert result["unsavedOnDisk"] is True  # before Ctrl+S the disk still had the leak
    assert result["savedText"] == FIXED
    assert result["squigglesAfterFix"] == 0

    # The leak typed afterwards is flagged on its line as it is typed.
    assert result["typedText"].endswith(TYPED)
    assert result["typedSquiggles"] == 1
    assert result["typedSquiggleLine"] == [7]
    typed_entry = next(p for p in result["typedProblems"] if "UL101" in p)
    assert "[Ln 7, Col 12]" in typed_entry

    # Traced: the program called the typed function twice; the report says so, Problems shows
    # the runtime leak on line 7 and the static finding confirmed.
    (leak,) = result["traceReport"]["leaks"]
    assert (leak["kind"], Path(leak["file"]).name, leak["line"], leak["count"]) == (
        "file",
        "leaky.py",
        7,
        2,
    )
    problems = result["traceProblems"]
    runtime = next(p for p in problems if "leaked at run time" in p)
    assert "UL900" in runtime and "seen 2 times" in runtime and "[Ln 7, Col" in runtime
    assert any("UL101" in p and "confirmed at run time: seen 2 times" in p for p in problems)

    # The hover's link opened the rule's section of the shipped docs/rules.md in a preview.
    assert "ul101-not-released" in result["ruleDocsTab"]
    assert result["hoverLines"] <= 10

    # Typing an unfinished function: no syntax error while the line is being typed, and the
    # finding of the function above stays listed; after a pause the error shows.
    typing = result["typing"]
    for step in ("def", "assign", "attribute"):
        sample = typing[step]
        assert sample["errorLines"] == [], (step, sample)
        assert any("UL101" in p and "[Ln 7, Col 12]" in p for p in sample["problems"]), sample
    assert 10 in typing["paused"]["errorLines"]
    assert any("UL001" in p for p in typing["paused"]["problems"])
    assert typing["done"] == {"errorLines": [], "squiggleLines": [7, 10]}
    assert typing["text"].endswith("def reader(path):\n    f = open(path)\n    return f.read()"), (
        typing["text"]
    )

    # Typing an unfinished line inside the flagged function (above its leak, `n = path.`):
    # in every sample taken while typing the warnings stayed on (the one below moved down a
    # line with the edit), and no syntax error showed.
    blink = typing["blink"]
    assert blink["unfinishedSamples"] >= 10 and blink["spanMs"] >= 1500, blink
    assert blink["withoutWarning"] == [], blink
    assert blink["withError"] == [], blink
    assert typing["blinkDone"]["squiggleLines"] == [7, 11]
    assert typing["blinkDone"]["errorLines"] == []
    typed_inside = "def reader(path):\n    n = path.upper()\n    f = open(path)\n"
    assert typed_inside in typing["blinkDone"]["text"]

    # An internal error in a document's analysis: a notification with Show Logs (which shows
    # the traceback), the status item in an error state, and no squiggles.
    assert "could not check unleak_fault_demo.py" in result["faultNotification"]
    assert "Show Logs" in result["faultNotification"]
    assert result["faultSquiggles"] == 0
    assert result["faultStatus"].startswith("unleak: error")
    assert "could not check unleak_fault_demo.py" in result["faultStatus"]
    assert result["faultLogsShown"] is True
    assert "fault injected by UNLEAK_LSP_FAULT" in result["faultLogs"]
    # Failing again after an edit: no second notification, still an error; closed: ready.
    assert result["faultToastsAfterEdit"] == 0
    assert result["faultStatusAfterEdit"].startswith("unleak: error")
    assert result["statusAfterClose"].startswith("unleak: ready")

    # A notebook: the leak in its cell is flagged, its quick fix applies in the cell and the
    # notebook saved with Ctrl+S holds the fixed cell.
    assert result["notebookSquiggles"] == 1
    assert any("with" in a and "UL101" in a for a in result["notebookActions"])
    assert result["notebookCell"] == FIXED.rstrip("\n")
    assert result["notebookSaved"] == FIXED.rstrip("\n")

    # Restarted from the command palette: ready again, in words, with the Python it runs on;
    # the old server's clean exit is information in the log, and the log's levels are the
    # records' own (the injected fault's traceback is an error, not "[info] [Error - ...]").
    status = result["statusAfterRestart"]
    assert status.startswith("unleak: ready") and "Python 3." in status, status
    restart_log = result["restartLog"]
    assert "[info] the server process exited (code 0)" in restart_log, restart_log
    assert "Server process exited with code 0" not in restart_log, restart_log
    assert "[error] internal error analysing" in restart_log, restart_log
    assert "[Error -" not in restart_log, restart_log

    shots = [Path(s) for s in result["screenshots"]]
    assert len(shots) >= 24 and all(s.is_file() and s.stat().st_size > 10_000 for s in shots)
