"""The edits of ``bench_lsp.py --anywhere`` replayed on `LiveModule` in one process, in CPU
time (less sensitive to the machine's load than the server's wall-clock latency).

    .venv/bin/python bench/bench_live.py                  # 20 positions per file
    .venv/bin/python bench/bench_live.py --anywhere 40 --slowest 10
    .venv/bin/python bench/bench_live.py --generated-lines 100000   # that module too

For ``subprocess.py``, ``_pydecimal.py`` and the ~20,000-line concatenation: each file is
analysed once, then each edit (a character typed at a seeded random name position, then
deleted: the same edits as the server benchmark) is analysed and timed with
``time.process_time``, without building fixes (as the language server analyses). Between
edits the garbage collector does what the language server's does (`lsp/collector.py`):
collect, then freeze what stays alive. Prints p50, p95 and max per file, how many edits went
in full, and the slowest edits with `LiveModule.fallback` (why an edit was analysed in full;
empty when it was not). ``--generated-lines N``: also ``bench_lsp.py``'s generated module of N
lines (a finding every four), each edit with what the server does to publish it after the
analysis (its diagnostics converted, `lsp.convert.Converted`, and the message's JSON,
`lsp.wire.DiagnosticsWire`), each part timed.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import sysconfig
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import bench_lsp
from lsprotocol import types
from unleak.pipeline.live import LiveModule
from unleak.settings import Settings
from unleak.source.text import source_lines


def applied(text: str, change: types.TextDocumentContentChangePartial) -> str:
    """``text`` with one ranged change made (positions in code points: the benchmark's
    positions are on ASCII lines)."""
    lines = text.splitlines(keepends=True)

    def offset(at: types.Position) -> int:
        return sum(len(line) for line in lines[: at.line]) + at.character

    return text[: offset(change.range.start)] + change.text + text[offset(change.range.end) :]


def replay(name: str, text: str, positions: int, seed: str) -> list[tuple[float, str, str]]:
    """(CPU ms, why it went in full, the edited line) for each edit."""
    live = LiveModule(name, Path(name).stem, fixes=False)  # as the language server makes it
    settings = Settings()
    live.analyse(text, settings)
    gc.collect()
    gc.freeze()
    out = []
    for change in bench_lsp.typing_anywhere(text, positions, seed):
        text = applied(text, change)
        lines = source_lines(text)
        started = time.process_time()
        live.analyse(text, settings, None, lines)
        spent = 1000 * (time.process_time() - started)
        out.append((spent, live.fallback, lines[change.range.start.line].strip()))
        gc.collect()
        gc.freeze()
    gc.unfreeze()
    return out


def replay_published(text: str, positions: int, seed: str) -> list[tuple[float, ...]]:
    """The edits of the generated module as the language server makes and publishes them:
    (CPU ms in all, the analysis's, the conversion's, the JSON's; 1 if it went in full) for
    each edit."""
    from pygls.protocol import default_converter
    from unleak.lsp.convert import UTF16, Converted, TextLines, lean
    from unleak.lsp.wire import DiagnosticsWire

    uri = "file:///tmp/unleak-bench-lsp/generated.py"
    live = LiveModule("generated.py", "generated", fixes=False)
    settings = Settings()
    converted, wire = Converted(), DiagnosticsWire(default_converter())
    lines = TextLines(text)

    def publish(version: int) -> tuple[float, float]:
        started = time.process_time()
        findings = live.analyse(lines.text, settings, None, lines.source_lines()).findings
        analysed = time.process_time()
        linked = not lean(len(findings))
        shown = converted.diagnostics(findings, uri, lines, UTF16, linked, linked)
        converting = time.process_time()
        wire.message(types.PublishDiagnosticsParams(uri=uri, diagnostics=shown, version=version))
        return analysed - started, converting - analysed

    gc.disable()  # as the server opens a large document
    publish(1)
    gc.enable()
    gc.collect()
    gc.freeze()
    out: list[tuple[float, ...]] = []
    for version, change in enumerate(bench_lsp.typing_anywhere(text, positions, seed), 2):
        started = time.process_time()
        lines = lines.edited(change.range.start, change.range.end, change.text, UTF16)
        analysis, conversion = publish(version)
        spent = time.process_time() - started
        parts = (spent, analysis, conversion, spent - analysis - conversion)
        out.append((*(1000 * x for x in parts), 1.0 if live.fallback else 0.0))
        gc.collect()
        gc.freeze()
    gc.unfreeze()
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--anywhere", type=int, default=20, metavar="N")
    parser.add_argument("--slowest", type=int, default=5, metavar="N")
    parser.add_argument("--generated-lines", type=int, default=0, metavar="N")
    ns = parser.parse_args(argv)
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    files = [(name, (stdlib / name).read_text(encoding="utf-8")) for name in bench_lsp.FILES[1:]]
    files.append(
        (bench_lsp.BIG_NAME, bench_lsp.concatenation(stdlib, bench_lsp.TARGET_BIG_LINES))
    )
    for name, text in files:
        rows = replay(name, text, ns.anywhere, f"anywhere-{name}")
        spent = [ms for ms, _, _ in rows]
        full = sum(1 for _, why, _ in rows if why)
        print(
            f"{name}: {len(text.splitlines()):,} lines, {len(rows)} edits, CPU ms p50 / p95 / "
            f"max {statistics.median(spent):.1f} / {bench_lsp.p95(spent):.1f} / "
            f"{max(spent):.1f}; {full} in full"
        )
        for ms, why, line in sorted(rows, key=lambda r: -r[0])[: ns.slowest]:
            print(f"  {ms:7.1f}  {why or 'partial':<36} {line[:70]}")
    if ns.generated_lines:
        text = bench_lsp.generated_module(ns.generated_lines)
        rows = replay_published(text, ns.anywhere, f"anywhere-{bench_lsp.GENERATED_NAME}")
        full = sum(int(row[4]) for row in rows)
        print(
            f"generated module: {len(text.splitlines()):,} lines, {len(rows)} edits "
            f"({full} in full), CPU ms"
        )
        for i, part in enumerate(("in all", "analysis", "conversion", "JSON")):
            spent = [row[i] for row in rows]
            print(
                f"  {part:<10} p50 / p95 / max {statistics.median(spent):.1f} / "
                f"{bench_lsp.p95(spent):.1f} / {max(spent):.1f}"
            )
    print(f"load average: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
