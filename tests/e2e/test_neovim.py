"""Neovim as a second, independent LSP client of `unleak server`.

Headless neovim (Debian's 0.7.2 or newer) with its built-in `vim.lsp` and no plugins starts
the real server over stdio for a leaky file, and tests/e2e/neovim/init.lua does what a user
would: waits for the diagnostic, hovers it (`K`), picks the preferred quick fix from the code
action menu, writes the file, then types a new leak. The script records what neovim got into a
JSON file; this test asserts on it and on the file written to disk.

Artefacts (the result JSON, neovim's LSP log with the server's stderr):
tests/e2e/artifacts/neovim/.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from .conftest import ROOT, unleak_executable, which

SCRIPT = ROOT / "tests" / "e2e" / "neovim" / "init.lua"
TIMEOUT_S = 180

LEAKY = """\
def read_config(path):
    f = open(path)
    data = f.read()
    return data
"""

FIXED = """\
def read_config(path):
    with open(path) as f:
        data = f.read()
    return data
"""


def run_neovim(work: Path, artifacts: Path) -> tuple[dict[str, Any], str]:
    nvim = which("nvim")
    source = work / "leaky.py"
    source.write_text(LEAKY)
    result_file = artifacts / "result.json"
    env = {
        **os.environ,
        "UNLEAK_NVIM_SERVER": str(unleak_executable()),
        "UNLEAK_NVIM_FILE": str(source),
        "UNLEAK_NVIM_RESULT": str(result_file),
        "UNLEAK_NVIM_STEP_MS": "60000",
        "UNLEAK_NVIM_TOTAL_MS": str((TIMEOUT_S - 20) * 1000),
        # neovim's state (LSP log, shada, swap) stays in the run's own folders.
        "XDG_CACHE_HOME": str(artifacts / "cache"),
        "XDG_STATE_HOME": str(artifacts / "state"),
        "XDG_DATA_HOME": str(work / "data"),
        "XDG_CONFIG_HOME": str(work / "config"),
    }
    proc = subprocess.run(
        [nvim, "--headless", "--clean", "-n", "-u", str(SCRIPT)],
        cwd=work,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    output = f"exit code {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    (artifacts / "nvim-output.txt").write_text(output)
    assert result_file.is_file(), f"neovim wrote no result; {output}"
    result = json.loads(result_file.read_text())
    assert "error" not in result, f"neovim script failed: {result['error']}\n{output}"
    return result, source.read_text()


def test_neovim_lsp_client(tmp_path: Path, artifacts: Path) -> None:
    result, on_disk = run_neovim(tmp_path, artifacts)

    # 1. The diagnostic, as neovim stores it: UL101 on `open(path)`, line 2 (0-based 1).
    [diag] = result["initial"]
    assert diag["code"] == "UL101"
    assert diag["source"] == "unleak"
    assert (diag["lnum"], diag["col"], diag["end_lnum"], diag["end_col"]) == (1, 8, 1, 18)
    assert "`f`" in diag["message"] and "never closed" in diag["message"]
    assert diag["severity"] == 2  # vim.diagnostic.severity.WARN

    # 2. The hover: markdown leading with this leak's story, then one line of the rule with a
    # link to its full text (not the whole rule), shown in a floating window.
    hover = result["hover"]
    assert hover["kind"] == "markdown"
    assert "UL101" in hover["value"]
    assert "not-released" in hover["value"]
    assert "line 4" in hover["value"]  # where it leaks: the return
    assert hover["float_open"] is True
    float_text = "\n".join(hover["float_lines"])
    assert "**unleak UL101**" in float_text and "Full rule" in float_text
    assert "What it does" not in float_text  # the full rule text is behind the link

    # 3. The code action menu offered the fix (preferred) and an ignore; the fix was applied
    # by neovim to the buffer, and the server then cleared the diagnostic.
    titles = [choice["title"] for choice in result["code_actions"]]
    preferred = [c["title"] for c in result["code_actions"] if c.get("preferred")]
    assert len(preferred) == 1 and "UL101" in preferred[0] and "with" in preferred[0], titles
    assert any(t.startswith("Ignore UL101") for t in titles), titles
    assert result["before_fix"] == LEAKY
    assert result["after_fix"] == FIXED
    assert result["after_fix_diagnostics"] == []

    # 4. `:write` put the fixed code on disk.
    assert on_disk == FIXED

    # 5. The typed leak is reported on its line (7, 0-based 6) as the user types.
    typed_leak = "def first_line(path):\n    return open(path).readline()\n"
    assert result["typed_text"].endswith(typed_leak)
    [typed] = result["typed_diagnostics"]
    assert typed["code"] == "UL101"
    assert (typed["lnum"], typed["col"]) == (6, 11)

    # Every publication named a document version (the server pushes versioned diagnostics).
    assert all(isinstance(p["version"], int) for p in result["published"])
