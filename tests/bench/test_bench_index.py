"""bench/bench_index.py on a CI-sized workspace: it builds the index, times the opened
document's first diagnostics with and without it, and reads the server's memory."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"


def test_bench_index_reports_memory_and_first_diagnostics(tmp_path: Path) -> None:
    before = set((BENCH / "results").glob("index-*.json"))
    proc = subprocess.run(
        [sys.executable, str(BENCH / "bench_index.py"), "--files", "20"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "index built in" in proc.stdout and "unleak: indexed 20 files" in proc.stdout
    written = set((BENCH / "results").glob("index-*.json")) - before
    assert len(written) == 1
    (path,) = written
    try:
        result = json.loads(path.read_text(encoding="utf-8"))
    finally:
        path.unlink()
    assert result["files"] == 20
    assert 10 < result["rss_mib_indexed"] < 1000
    assert result["first_diagnostics_ms_while_indexing"] > 0
    assert result["first_diagnostics_ms_without_index"] > 0
