"""Running the analysis over many files: cache first, then serially or in worker processes.

Results always come back in the order of the jobs, whatever order workers finish in.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from unleak.cli.analysis import FileResult, analyse
from unleak.cli.cache import Cache, content_hash, settings_fingerprint
from unleak.engine.settings import Settings

# Below this many files to analyse, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 16


@dataclass(frozen=True)
class FileJob:
    display: str
    path: Path | None  # None when the source is given (stdin)
    settings: Settings
    data: bytes | None = None


@dataclass
class RunStats:
    files: int = 0
    cached: int = 0
    analysed: int = 0
    workers: int = 0  # worker processes started; 0 when run serially


def default_jobs() -> int:
    return os.cpu_count() or 1


def _read(job: FileJob) -> bytes | str:
    """The file's bytes, or the error message when it cannot be read."""
    if job.data is not None:
        return job.data
    assert job.path is not None
    try:
        # Only regular files: reading a FIFO or a device named *.py would block forever.
        if not stat.S_ISREG(job.path.stat().st_mode):
            return "not a regular file"
        return job.path.read_bytes()
    except OSError as exc:
        return f"cannot read file: {exc.strerror or exc}"


def run(
    jobs: Sequence[FileJob], cache: Cache | None, max_workers: int
) -> tuple[list[FileResult], RunStats]:
    stats = RunStats(files=len(jobs))
    results: list[FileResult | None] = [None] * len(jobs)
    pending: list[tuple[int, bytes, str | None]] = []  # (job index, bytes, cache key)
    fingerprints: dict[int, str] = {}  # id(settings) -> fingerprint; settings are shared

    for i, job in enumerate(jobs):
        data = _read(job)
        if isinstance(data, str):
            results[i] = FileResult(job.display, error=data)
            continue
        key = None
        if cache is not None:
            fp = fingerprints.get(id(job.settings))
            if fp is None:
                fp = fingerprints[id(job.settings)] = settings_fingerprint(job.settings)
            key = Cache.key(job.display, fp, content_hash(data))
            hit = cache.get(job.display, key)
            if hit is not None:
                results[i] = FileResult(job.display, findings=hit, cached=True)
                stats.cached += 1
                continue
        pending.append((i, data, key))

    stats.analysed = len(pending)
    workers = min(max_workers, len(pending))
    if workers > 1 and len(pending) > PARALLEL_THRESHOLD:
        stats.workers = workers
        fresh = _parallel(jobs, pending, workers)
    else:
        fresh = [analyse(jobs[i].display, data, jobs[i].settings) for i, data, _ in pending]

    for (i, _, key), result in zip(pending, fresh, strict=True):
        results[i] = result
        if cache is not None and key is not None and result.error is None:
            cache.put(result.display, key, result.findings)
    return [r for r in results if r is not None], stats


def _parallel(
    jobs: Sequence[FileJob], pending: list[tuple[int, bytes, str | None]], workers: int
) -> list[FileResult]:
    out: list[FileResult | None] = [None] * len(pending)
    crashed: list[int] = []
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures: list[Future[FileResult]] = [
            pool.submit(analyse, jobs[i].display, data, jobs[i].settings) for i, data, _ in pending
        ]
        for n, future in enumerate(futures):
            try:
                out[n] = future.result()
            except BrokenProcessPool:
                crashed.append(n)
    # A worker died (e.g. the interpreter crashed on one file) and took its pool with it:
    # retry each affected file alone, so only the file that crashes is reported.
    for n in crashed:
        i, data, _ = pending[n]
        out[n] = _isolated(jobs[i], data)
    return [r if r is not None else FileResult("?", error="internal error") for r in out]


def _isolated(job: FileJob, data: bytes) -> FileResult:
    try:
        with ProcessPoolExecutor(max_workers=1) as pool:
            return pool.submit(analyse, job.display, data, job.settings).result()
    except BrokenProcessPool:
        return FileResult(job.display, error="internal error: the worker process crashed")
