"""bench/bench_trace.py's comparison of the resource sites two traced runs found."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "bench_trace.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_trace", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_trace"] = module  # dataclasses look their module up
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules["bench_trace"]
    return module


def _leak(kind: str, message: str, file: str | None = None, line: int | None = None) -> dict:
    return {"kind": kind, "message": message, "file": file, "line": line}


def test_sites_compared_across_runs(bench: ModuleType) -> None:
    """Two runs of werkzeug's suite, an older default and today's: the same leaks, one placed
    only today, descriptors named by mkstemp's random letters; and one truly lost."""
    older = bench._resource_sites(
        {
            "leaks": [
                _leak("fd", "file descriptor 7 (/dev/shm/pym-812-hzmxj_b1 (deleted)) still open"),
                _leak("resource", "Unclosed file <tempfile.SpooledTemporaryFile object at 0x7f1>"),
                _leak("socket", "unclosed <socket.socket fd=9>", "/p/app.py", 12),
                _leak("memory", "4 MiB", "/p/big.py", 3),
            ]
        }
    )
    today = bench._resource_sites(
        {
            "leaks": [
                _leak("fd", "file descriptor 8 (/dev/shm/pym-901-uj3lb5y (deleted)) still open"),
                _leak(
                    "resource",
                    "Unclosed file <tempfile.SpooledTemporaryFile object at 0x7f2>",
                    "/p/formparser.py",
                    62,
                ),
                _leak("resource", "memory map still open at exit", "/p/debug.py", 291),
            ]
        }
    )
    assert len(older) == 3  # memory held at exit is not a resource site
    every = older | today
    lost, without_line = bench._compare(today, every)
    assert [(s.kind, s.file, s.line) for s in lost] == [("socket", "/p/app.py", 12)]
    assert without_line == []
    lost, without_line = bench._compare(older, every)
    assert [(s.kind, s.file) for s in lost] == [("resource", "/p/debug.py")]
    assert [(s.kind, s.file, s.line) for s in without_line] == [
        ("resource", "/p/formparser.py", 62)
    ]
