"""Running the analysis over many files: the cache, then two passes, serially or in workers.

Pass 1 takes each file's summary for the project index (factories, resource classes,
functions releasing or borrowing their parameters, imports and re-exports; see
:mod:`unleak.index`) and analyses the file with its view of the summaries known by then
(`local_index`), the files in the order of their imports (`import_order`), so that most
files have their final view at once. The index then links all the summaries; pass 2
re-analyses the files whose final view differs from the one they had, and its findings
replace pass 1's. A file's fixes are checked (see `pipeline.fix_offers`) by the last pass
that analyses it: pass 1 checks them when the file's view was complete, and pass 2 also
takes a file whose view did not change but whose fixes pass 1 left unchecked. Files whose
bytes, settings, module name and view are unchanged come from the cache without being read;
the engine is not even imported when everything is cached.

Results always come back in the order of the jobs, whatever order workers finish in.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import os
import stat
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from unleak.cli.cache import (
    DIGEST,
    ERROR,
    EXTERNAL,
    FINDINGS,
    KEY,
    MTIME,
    SIZE,
    SUMMARY,
    Cache,
    Entry,
    external_hash,
    read_entry,
    run_stamp,
    settings_fingerprint,
    summary_or_malformed,
    unpack_finding,
)
from unleak.cli.results import FileResult
from unleak.cli.signals import stop_worker_on_signal
from unleak.index.model import ModuleSummary
from unleak.settings import Settings

if TYPE_CHECKING:
    from unleak.cli.analysis import Outcome, Task
    from unleak.cli.fixing import FixMode
    from unleak.cli.import_order import ImportPlan
    from unleak.cli.progress import Progress
    from unleak.findings.model import Finding

# Below this many files to analyse, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 16
# A file modified this recently may change again within the same mtime tick: its entry
# records no mtime, so the next run compares its content hash instead.
RACY_NS = 2_000_000_000


@dataclass(frozen=True)
class FileJob:
    display: str
    path: str | None  # absolute; None when the source is given (stdin)
    settings: Settings
    data: bytes | None = None
    module: str = ""  # dotted module name


@dataclass
class RunStats:
    files: int = 0
    cached: int = 0
    analysed: int = 0
    workers: int = 0  # worker processes started; 0 when run serially
    cross_module: int = 0  # files analysed again with their view of the project index


def default_jobs() -> int:
    return os.cpu_count() or 1


class _Lane:
    """A worker process of its own, and what it knows of the project index."""

    def __init__(self, number: int) -> None:
        from concurrent.futures import ProcessPoolExecutor

        self.number = number
        self.pool = ProcessPoolExecutor(max_workers=1, initializer=stop_worker_on_signal)
        self.sent = 0  # how many of the run's summaries it has been given (or found itself)
        self.busy = 0  # chunks given and not yet back

    def close(self, wait: bool = True, cancel: bool = False) -> None:
        if cancel:  # interrupted: the worker stops now, not after its chunks (`signals`)
            import signal

            # Private, but in every Python since 3.3; a pool without it waits instead.
            for pid in getattr(self.pool, "_processes", None) or ():
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGINT)
        self.pool.shutdown(wait=wait, cancel_futures=cancel)


class _Executor:
    """Runs tasks serially or in worker processes started on first need, reused by both
    passes.

    Each worker has a pool of its own (a lane), so that the runner knows which summaries it
    has: the first pass gives each chunk the summaries found since that worker's last one
    (see `local_index`). Tasks go out in chunks, in the order given, at most two chunks per
    worker at a time, so the workers stay busy and the summaries they get are recent; small
    files share a chunk, so the overhead per task stays low.
    """

    def __init__(self, max_workers: int, progress: Progress | None = None) -> None:
        self.max_workers = max_workers
        self.lanes: list[_Lane] = []
        self.workers = 0
        self.progress = progress

    def _advance(self, count: int) -> None:
        if self.progress is not None:
            self.progress.advance(count)

    def run(
        self,
        tasks: list[Task],
        sizes: list[int],
        plan: ImportPlan | None = None,
        known: list[list[Any]] | None = None,
    ) -> list[Outcome]:
        """The tasks' outcomes, in their order. ``plan``: the order to run them in (biggest
        first by default), and which wait for which; ``known``: for tasks of the first pass
        (`Task.project`), the summaries the project index has before it (from the cache)."""
        from unleak.cli import analysis
        from unleak.cli.import_order import ImportPlan
        from unleak.cli.local_index import LocalIndex

        if plan is None:
            order = sorted(range(len(tasks)), key=lambda n: -sizes[n])
            plan = ImportPlan(order, [[] for _ in tasks])
        order = plan.order
        workers = min(self.max_workers, len(tasks))
        # Workers already started (by pass 1) cost nothing more to use for a few files.
        if workers <= 1 or (not self.lanes and len(tasks) <= PARALLEL_THRESHOLD):
            project = tasks[0].project if tasks else None
            local = LocalIndex(project) if project is not None else None
            if local is not None and known:
                local.absorb(known)
            outcomes: list[Outcome | None] = [None] * len(tasks)
            for n in order:
                outcomes[n] = analysis.run_chunk([tasks[n]], local=local)[0]
                self._advance(1)
            return [o if o is not None else _crashed() for o in outcomes]
        return self._parallel(tasks, sizes, plan, workers, known)

    def _start(self, tasks: list[Task], workers: int) -> None:
        import multiprocessing

        from unleak.cli import analysis

        if len(self.lanes) >= workers:
            return
        if not self.lanes and multiprocessing.get_start_method() == "fork":
            # Load the engine once here, so that forked workers share it instead of each
            # importing it again (on the first file, in the middle of the run).
            warm = analysis.Task("<warm-up>", None, b"", tasks[0].settings, "", tasks[0].fix)
            analysis.run_task(warm)
        while len(self.lanes) < workers:
            self.lanes.append(_Lane(len(self.lanes)))
        self.workers = max(self.workers, len(self.lanes))

    def _parallel(
        self,
        tasks: list[Task],
        sizes: list[int],
        plan: ImportPlan,
        workers: int,
        known: list[list[Any]] | None,
    ) -> list[Outcome]:
        from concurrent.futures import FIRST_COMPLETED, Future, wait
        from concurrent.futures.process import BrokenProcessPool

        from unleak.cli import analysis

        self._start(tasks, workers)
        lanes = self.lanes[:workers]
        first = bool(tasks) and tasks[0].project is not None
        # The summaries of this run, in the order they became known, with the lane that
        # found each (-1: known before it); a lane is sent those it lacks with each chunk.
        found: list[tuple[int, list[Any]]] = [(-1, d) for d in known or ()] if first else []
        for lane in lanes:
            lane.sent = 0
        target = max(sum(sizes) // (workers * 48), 1)
        unsent = sum(max(s, 1) for s in sizes)  # the weight of the files not given out yet
        out: list[Outcome | None] = [None] * len(tasks)
        crashed: list[int] = []
        futures: dict[Future[list[Outcome]], tuple[_Lane, list[int]]] = {}
        order, waits_for = plan.order, plan.waits_for
        head = 0  # order[:head] is given out
        given = [False] * len(tasks)
        lane_of = [-1] * len(tasks)
        back = [False] * len(tasks)
        left = len(tasks)

        def ready(n: int, lane: int) -> bool:
            """Whether the n-th file would get its final view on ``lane``: what it imports is
            back, or given to that lane before it (a worker adds what it finds itself)."""
            return all(back[d] or lane_of[d] == lane for d in waits_for[n])

        def next_chunk(lane: int, wait: bool) -> list[int]:
            """The next files in the order that are ready on the lane; when none of the next
            few are, none if ``wait`` (another worker's results will make some ready), else
            the next one."""
            nonlocal head, left, unsent
            chunk: list[int] = []
            weight = 0
            scan = head
            # Smaller chunks towards the end, so that the workers finish together.
            most = max(min(target, unsent // (len(lanes) * 4)), 1)
            while scan < len(order) and scan < head + 256 and weight < most and len(chunk) < 32:
                n = order[scan]
                scan += 1
                if given[n] or not ready(n, lane):
                    continue
                chunk.append(n)
                given[n] = True
                lane_of[n] = lane
                weight += max(sizes[n], 1)
            if not chunk and not wait:
                while given[order[head]]:
                    head += 1
                chunk.append(order[head])
                given[order[head]] = True
                lane_of[order[head]] = lane
            while head < len(order) and given[order[head]]:
                head += 1
            left -= len(chunk)
            unsent -= sum(max(sizes[n], 1) for n in chunk)
            return chunk

        def give(lane: _Lane) -> bool:
            """Give the lane a chunk, unless it had better wait; whether it got one."""
            chunk = next_chunk(lane.number, wait=bool(futures))
            if not chunk:
                return False
            summaries = None
            if first:
                summaries = [d for origin, d in found[lane.sent :] if origin != lane.number]
                lane.sent = len(found)
            try:
                future = lane.pool.submit(analysis.run_chunk, [tasks[n] for n in chunk], summaries)
            except BrokenProcessPool:  # its worker died before this chunk went out
                crashed.extend(chunk)
                for n in chunk:
                    back[n] = True  # retried alone, at the end
                self._advance(len(chunk))
                renew(lane)
                return True
            lane.busy += 1
            futures[future] = (lane, chunk)
            return True

        def renew(lane: _Lane) -> None:
            """A lane whose worker died gets a new one (which knows nothing yet)."""
            if lane in lanes:
                lane.close(wait=False)
                # A new number: the summaries the old worker found are news to the new one.
                fresh = _Lane(max(x.number for x in self.lanes) + 1)
                lanes[lanes.index(lane)] = fresh
                self.lanes[self.lanes.index(lane)] = fresh

        while left or futures:
            for lane in lanes:
                # A second chunk waits in the lane while the worker is busy (none waits for
                # the other worker); near the end it would keep the other one waiting.
                ahead = 2 if unsent > target * len(lanes) else 1
                while lane.busy < ahead and left and give(lane):
                    pass
            if not futures:
                continue
            # As they finish, not in order: the progress moves whichever chunk is slow.
            done, _ = wait(futures, return_when=FIRST_COMPLETED)
            for future in done:
                lane, chunk = futures.pop(future)
                lane.busy -= 1
                try:
                    results = future.result()
                except BrokenProcessPool:
                    crashed.extend(chunk)
                    for n in chunk:
                        back[n] = True  # retried alone, at the end
                    renew(lane)
                else:
                    for n, outcome in zip(chunk, results, strict=True):
                        out[n] = outcome
                        back[n] = True
                        if first and outcome.summary is not None:
                            found.append((lane.number, outcome.summary))
                self._advance(len(chunk))
        if crashed:
            # A worker died (e.g. the interpreter crashed on one file) and took its chunks
            # with it: retry each affected file alone, so only the file that crashes is
            # reported.
            for n in sorted(crashed):
                out[n] = _isolated(tasks[n])
        return [o if o is not None else _crashed() for o in out]

    def close(self, cancel: bool = False) -> None:
        """Stop the workers once their running chunks end; ``cancel``: drop the chunks
        given out and not started (the run was interrupted)."""
        for lane in self.lanes:
            lane.close(cancel=cancel)
        self.lanes = []


def _crashed() -> Outcome:
    from unleak.cli.analysis import Outcome

    return Outcome(-1, -1, "", "internal error: the worker process crashed", [], None)


def _isolated(task: Task) -> Outcome:
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    from unleak.cli import analysis

    try:
        with ProcessPoolExecutor(max_workers=1, initializer=stop_worker_on_signal) as pool:
            return pool.submit(analysis.run_task, task).result()
    except BrokenProcessPool:
        return _crashed()


def _stat(path: str) -> os.stat_result | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st if stat.S_ISREG(st.st_mode) else None


def _stamp(paths: Sequence[str | None], entries: Sequence[Entry | None]) -> str:
    """The run's `run_stamp`; "" when a file has no entry or no path (never the same)."""
    rows = []
    for path, entry in zip(paths, entries, strict=True):
        if path is None or entry is None:
            return ""
        rows.append([path, entry[KEY], entry[DIGEST], entry[EXTERNAL]])
    return run_stamp(rows)


def _content_matches(path: str, digest: str) -> bool:
    from unleak.cli.cache import content_hash

    try:
        with open(path, "rb") as fh:
            return content_hash(fh.read()) == digest
    except OSError:
        return False


def _has_fix(findings: list[Finding], fix: FixMode) -> bool:
    return any(f.fix is not None and f.fix.edits and (f.fix.safe or fix.unsafe) for f in findings)


def project_views(
    jobs: Sequence[FileJob],
    entries: Sequence[Entry | None],
    read: Mapping[int, ModuleSummary | None] | None = None,
) -> dict[int, dict[str, Any]]:
    """Link the summaries into the project index; each job's view of it (when not empty).
    ``read``: summaries already read from cache entries (by job), not to be read again."""
    from unleak.index.project import ProjectIndex

    index = ProjectIndex()
    modules: dict[int, ModuleSummary] = {}
    for i, entry in enumerate(entries):
        data = entry[SUMMARY] if entry is not None else None
        if data is None:
            continue
        known = read.get(i) if read is not None else None
        summary = known if known is not None else ModuleSummary.from_data(data)
        index.put(summary)
        modules[i] = summary
    views: dict[int, dict[str, Any]] = {}
    for i, summary in modules.items():
        # Its own imports: another file may have the same module name (two `conftest`s).
        view = index.view_for(summary.name, summary.needs(), summary.calls)
        if view:
            views[i] = view
    return views


def _import_order(jobs: Sequence[FileJob], sizes: list[int], project: frozenset[str]) -> ImportPlan:
    """The order to analyse the jobs in: the modules a file imports first (see
    `import_order`); a file that cannot be read goes anywhere (its task says why)."""
    from unleak.cli.import_order import dependency_order, imported_modules

    imports: list[set[str]] = []
    top: list[set[str]] = []
    for job in jobs:
        data = job.data
        if data is None and job.path is not None:
            try:
                with open(job.path, "rb") as fh:
                    data = fh.read()
            except OSError:
                data = None
        package = job.path is not None and os.path.basename(job.path) == "__init__.py"
        found, unindented = (
            imported_modules(data, job.module, package, project) if data else (set(), set())
        )
        imports.append(found)
        top.append(unindented)
    return dependency_order([job.module for job in jobs], imports, top, sizes)


def _save_index(cache: Cache, jobs: Sequence[FileJob], entries: Sequence[Entry | None]) -> None:
    """Share the summaries with the language server (its index starts from them)."""
    from unleak.index.store import IndexStore, extras_key

    if not jobs:
        return
    store = IndexStore(cache.directory, extras_key(jobs[0].settings.extra_resources))
    stored = store.load()
    for job, entry in zip(jobs, entries, strict=True):
        if job.path is not None and entry is not None and entry[SUMMARY] is not None:
            stored[job.path] = [entry[SIZE], entry[MTIME], entry[SUMMARY]]
    store.save(stored)


def run(
    jobs: Sequence[FileJob],
    cache: Cache | None,
    max_workers: int,
    fix: FixMode | None = None,
    progress: Progress | None = None,
) -> tuple[list[FileResult], RunStats]:
    """Check the files (and with ``fix``, fix them); the results in the order of the jobs.

    A file to fix is worked on even when cached, unless its cached findings have no fix to
    apply. A file whose fixes were applied (written, or only computed for a diff) is not
    remembered: the next run analyses it again.
    """
    stats = RunStats(files=len(jobs))
    now_ns = time.time_ns()
    files: dict[str, Entry] = {}
    if cache is not None and any(job.path is not None for job in jobs):
        files = cache.load(summaries=False)
    dirty = False
    fingerprints: dict[int, str] = {}  # id(settings) -> fingerprint; settings are shared

    def key_of(job: FileJob) -> str:
        fp = fingerprints.get(id(job.settings))
        if fp is None:
            fp = fingerprints[id(job.settings)] = settings_fingerprint(job.settings)
        return f"{fp}|{job.module}"

    def racy(mtime_ns: int) -> int:
        return -1 if mtime_ns > now_ns - RACY_NS else mtime_ns

    results: list[FileResult | None] = [None] * len(jobs)
    entries: list[Entry | None] = [None] * len(jobs)
    found: list[list[Any] | None] = [None] * len(jobs)  # findings of cache hits
    read: dict[int, ModuleSummary | None] = {}  # their summaries, read once
    paths = [job.path for job in jobs]
    sizes = [0] * len(jobs)
    pending: list[int] = []
    hits: list[int] = []  # files whose entry is valid (their summaries are read when needed)
    # Per file: fixes applied, the diff, the fixed bytes (from the pass that fixed it last).
    fixes: dict[int, tuple[int, str, bytes | None]] = {}

    def record_fixes(i: int, outcome: Outcome) -> None:
        applied = outcome.applied
        if fix is not None and fix.write and paths[i] is not None:
            # Pass 2 fixed what pass 1 had written: the counts add up.
            applied += fixes.get(i, (0, "", None))[0]
        else:
            # Pass 2 fixed the same text as pass 1, knowing more: its answer replaces pass 1's.
            fixes.pop(i, None)
        if applied:
            fixes[i] = (applied, outcome.diff, outcome.fixed)

    # The cache: an entry for the same key and stat (or bytes) saves pass 1.
    for i, job in enumerate(jobs):
        path = paths[i]
        if path is None:
            pending.append(i)
            continue
        st = _stat(path)
        sizes[i] = st.st_size if st is not None else 0
        entry = files.get(path) if cache is not None else None
        if st is None or entry is None:
            pending.append(i)
            continue
        valid = read_entry(entry, summary=False)
        if valid is None or entry[KEY] != key_of(job):
            pending.append(i)
            continue
        if entry[SIZE] != st.st_size or entry[MTIME] != st.st_mtime_ns:
            if entry[SIZE] != st.st_size or not _content_matches(path, entry[DIGEST]):
                pending.append(i)
                continue
            if (entry[SIZE], entry[MTIME]) != (st.st_size, racy(st.st_mtime_ns)):
                entry[SIZE], entry[MTIME] = st.st_size, racy(st.st_mtime_ns)
                dirty = True
        if fix is not None and _has_fix(valid[0], fix):
            pending.append(i)
            continue
        entries[i] = entry
        found[i] = valid[0]
        hits.append(i)

    # Every file from the cache, as in the run that saved it: the same views of the index.
    same_index = bool(cache is not None and not pending and cache.stamp)
    same_index = same_index and cache is not None and cache.stamp == _stamp(paths, entries)
    if not same_index:
        if cache is not None:
            cache.fill(files)
        for i in hits:
            summary = summary_or_malformed(entries[i])  # type: ignore[arg-type]
            if summary is False:
                entries[i] = found[i] = None
                pending.append(i)
            else:
                read[i] = summary  # type: ignore[assignment]
        pending.sort()

    executor = _Executor(max_workers, progress)
    # `analysis.one_collection` raises the collector's first threshold; put back afterwards.
    threshold = gc.get_threshold()
    if progress is not None:
        progress.begin(len(jobs), done=len(jobs) - len(pending))
    try:
        analysed = set(pending)
        unchecked: set[int] = set()  # files whose fixes pass 1 left unchecked
        if pending:
            from unleak.cli.analysis import Task

            # Each file is analysed with its view of the part of the project index known by
            # then, its imports first (see `local_index`); fixes are checked once, by the last
            # pass that analyses a file.
            project = frozenset(j.module for j in jobs if j.module) if fix is None else None
            first = project if project and len(jobs) > 1 else None
            tasks = [
                Task(
                    jobs[i].display,
                    paths[i],
                    jobs[i].data,
                    jobs[i].settings,
                    jobs[i].module,
                    fix,
                    first,
                )
                for i in pending
            ]
            pending_sizes = [sizes[i] for i in pending]
            plan = None
            known: list[list[Any]] = []
            if first is not None:
                plan = _import_order([jobs[i] for i in pending], pending_sizes, first)
                known = [e[SUMMARY] for e in entries if e is not None and e[SUMMARY] is not None]
            outcomes = executor.run(tasks, pending_sizes, plan, known)
            for i, outcome in zip(pending, outcomes, strict=True):
                if outcome.error is not None and outcome.size < 0:
                    # Not read (or the worker crashed): nothing to remember.
                    results[i] = FileResult(jobs[i].display, error=outcome.error)
                    continue
                entries[i] = [
                    outcome.size,
                    racy(outcome.mtime_ns),
                    outcome.digest,
                    key_of(jobs[i]),
                    outcome.external,
                    outcome.findings,
                    outcome.summary,
                    outcome.error,
                ]
                record_fixes(i, outcome)
                path = paths[i]
                if outcome.unchecked:
                    unchecked.add(i)  # remembered once its fixes are checked (below)
                elif outcome.applied:
                    # The findings are the fixed text's: the file on disk is another text
                    # (--diff), or was just written in the same mtime tick as a change.
                    dirty |= path is not None and files.pop(path, None) is not None
                elif path is not None and cache is not None and outcome.size >= 0:
                    files[path] = entries[i]  # type: ignore[assignment]
                    dirty = True

        # The project index, then each file's view of it.
        views = project_views(jobs, entries, read) if not same_index else {}
        second: list[tuple[int, dict[str, Any], str]] = []
        for i, entry in enumerate(entries):
            if entry is None or same_index:
                continue
            needed = views.get(i, {})
            ext = external_hash(needed)
            if entry[EXTERNAL] != ext:
                second.append((i, needed, ext))
            elif i in unchecked:
                # The same view as in pass 1: analysed again the same way, to check its fixes.
                second.append((i, needed, ext))

        if second:
            from unleak.cli.analysis import Task

            if progress is not None:
                progress.begin(len(second), label="files checked again with other modules' exports")

            tasks = [
                Task(
                    jobs[i].display,
                    paths[i],
                    jobs[i].data,
                    (
                        dataclasses.replace(jobs[i].settings, external_summaries=needed)
                        if needed
                        else jobs[i].settings
                    ),
                    jobs[i].module,
                    fix,
                )
                for i, needed, _ in second
            ]
            outcomes = executor.run(tasks, [sizes[i] for i, _, _ in second])
            for (i, _, ext), outcome in zip(second, outcomes, strict=True):
                analysed.add(i)
                found[i] = None
                entry = entries[i]
                assert entry is not None
                path = paths[i]
                if outcome.error is not None:
                    results[i] = FileResult(jobs[i].display, error=outcome.error)
                    if path is not None:
                        dirty |= files.pop(path, None) is not None
                    continue
                entry[EXTERNAL], entry[FINDINGS] = ext, outcome.findings
                record_fixes(i, outcome)
                if outcome.applied and path is not None:
                    dirty |= files.pop(path, None) is not None
                elif outcome.digest != entry[DIGEST] and path is not None:
                    # Changed since pass 1: report what was read, remember nothing.
                    dirty |= files.pop(path, None) is not None
                elif path is not None and cache is not None:
                    files[path] = entry  # type: ignore[assignment]
                    dirty = True
            stats.cross_module = len([i for i, needed, _ in second if needed or i not in unchecked])
    except BaseException:  # Ctrl-C, SIGTERM: stop the workers now
        executor.close(cancel=True)
        raise
    finally:
        executor.close()
        gc.set_threshold(*threshold)
    stats.workers = executor.workers
    stats.analysed = len(analysed)

    for i, job in enumerate(jobs):
        entry = entries[i]
        if results[i] is not None or entry is None:
            continue
        if i in fixes:
            applied, diff, fixed = fixes[i]
            results[i] = FileResult(
                job.display,
                findings=[unpack_finding(f) for f in entry[FINDINGS]],
                error=entry[ERROR],
                applied=applied,
                diff=diff,
                fixed=fixed,
            )
            continue
        hit = found[i]
        if entry[ERROR] is not None:
            # The same bytes fail the same way: reported again, from the cache or not.
            results[i] = FileResult(job.display, error=entry[ERROR], cached=hit is not None)
            stats.cached += hit is not None
        elif hit is not None:
            results[i] = FileResult(job.display, findings=hit, cached=True)
            stats.cached += 1
        else:
            results[i] = FileResult(
                job.display, findings=[unpack_finding(f) for f in entry[FINDINGS]]
            )

    stamp = _stamp(paths, entries) if cache is not None else ""
    if cache is not None and (dirty or stamp != cache.stamp):
        seen = {p for p in paths if p is not None}
        for path in [p for p in files if p not in seen]:
            if not os.path.exists(path):
                del files[path]  # the file is gone
        cache.save(files, stamp)
        _save_index(cache, jobs, entries)
    return [r for r in results if r is not None], stats
