"""Checking one file; every failure becomes a one-line error for that file.

This is what worker processes run. A task names the file (workers read it themselves, so
the main process never ships source bytes) and comes back as a compact :data:`Outcome` of
plain data, cheap to pickle and ready for the cache.
"""

from __future__ import annotations

import gc
import hashlib
import os
import stat
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from unleak.cli.cache import PackedFinding, external_hash, pack_finding, unpack_finding
from unleak.cli.local_index import LocalIndex
from unleak.cli.results import FileResult
from unleak.findings.model import Finding
from unleak.pipeline.api import ModuleReport, analyse_source
from unleak.pipeline.fix_offers import offered_fixes, unit_cache
from unleak.pipeline.fix_parse import Reparser
from unleak.settings import Settings
from unleak.source.notebook import is_notebook
from unleak.source.text import SourceDecodeError, decode_source

if TYPE_CHECKING:
    from unleak.cli.fixing import FixMode
    from unleak.findings.incremental import UnitCache
    from unleak.index.model import ModuleSummary

__all__ = [
    "Failure",
    "FileResult",
    "Outcome",
    "Task",
    "analyse",
    "decode",
    "failed",
    "guarded",
    "run_chunk",
    "run_task",
]


class Task(NamedTuple):
    display: str
    path: str | None  # None when the source is given (stdin)
    data: bytes | None
    settings: Settings
    module: str
    fix: FixMode | None = None  # fix the file (or only say how) instead of just checking
    # The project's module names, when the file is analysed with its view of the part of the
    # project index known so far (`LocalIndex`, given to `run_chunk`): the first pass.
    project: frozenset[str] | None = None


class Outcome(NamedTuple):
    """What a worker sends back: the file's identity as read, then the analysis."""

    size: int
    mtime_ns: int
    digest: str
    error: str | None
    findings: list[PackedFinding]
    summary: list[Any] | None  # the module's summary for the project index, as data
    applied: int = 0  # fixes applied (with --fix, to the file; with --diff, in memory)
    diff: str = ""  # with --diff: what the fixes change, as a unified diff
    fixed: bytes | None = None  # the fixed bytes of a file given as data (stdin), if changed
    # The findings' fixes were not checked (`Task.project`: the view was not complete): the
    # pass that analyses the file again, with its view of the whole index, checks them; until
    # then they are not offered.
    unchecked: bool = False
    external: str = ""  # the hash of the view the file was analysed with (`external_hash`)


def failed(error: str, size: int = -1, mtime_ns: int = -1, digest: str = "") -> Outcome:
    return Outcome(size, mtime_ns, digest, error, [], None)


def analysed(
    size: int,
    mtime_ns: int,
    digest: str,
    findings: Iterable[Finding],
    summary: ModuleSummary | None,
    applied: int = 0,
    unchecked: bool = False,
    external: str = "",
) -> Outcome:
    """An analysis result, packed to be sent back by a worker."""
    return Outcome(
        size,
        mtime_ns,
        digest,
        None,
        [pack_finding(f) for f in findings],
        summary.to_data() if summary is not None else None,
        applied,
        unchecked=unchecked,
        external=external,
    )


class Failure(NamedTuple):
    """Why a file could not be checked."""

    message: str


T = TypeVar("T")


def decode(data: bytes) -> str | Failure:
    if b"\x00" in data:
        # The parser rejects NUL bytes; a binary file named *.py is not worth a syntax error.
        return Failure("file contains NUL bytes; it is not Python source")
    try:
        return decode_source(data)
    except SourceDecodeError as exc:
        return Failure(str(exc))


def guarded(call: Callable[[], T]) -> T | Failure:
    """Run the engine on the user's code; its failures become a message for the file."""
    try:
        # Parsing emits SyntaxWarning/DeprecationWarning (invalid escapes) for the user's code:
        # noise on our stderr, and an exception under -W error.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return call()
    except RecursionError:
        return Failure("too deeply nested to analyse (recursion limit reached)")
    except MemoryError:
        return Failure("too deeply nested to analyse (out of memory)")
    except Exception as exc:  # one bad file must not stop the others
        return Failure(f"internal error: {type(exc).__name__}: {exc}")


def _report(
    display: str,
    data: bytes,
    settings: Settings,
    module: str,
    local: LocalIndex | None = None,
) -> ModuleReport | tuple[ModuleReport, bool] | str:
    """Decode and analyse; the report, or why the file could not be checked. ``local``: the
    project index known so far (see `Task.project`; the report then comes with whether its
    fixes were left unchecked)."""
    if is_notebook(display):
        return _notebook_report(display, data, settings, module)
    text = decode(data)
    if isinstance(text, Failure):
        return text.message
    found: ModuleReport | tuple[ModuleReport, bool] | Failure = (
        _project_report(text, display, settings, module, local)
        if local is not None
        else _checked_report(text, display, settings, module)
    )
    return found.message if isinstance(found, Failure) else found


def _checked_report(
    text: str, display: str, settings: Settings, module: str
) -> ModuleReport | Failure:
    """The module's report, offering only the fixes `--fix` would apply (see
    `pipeline.fix_offers`)."""
    units = unit_cache()
    parser = Reparser()
    # The tree is kept for the fixes' check, which tells their definitions apart by it (it
    # parsed the whole text again); its parser parses the fixed texts reusing its chunks.
    report = guarded(
        lambda: analyse_source(
            text,
            display,
            settings,
            module,
            unit_cache=units,
            keep_tree=True,
            parsed=parser.parse(text),
        )
    )
    if isinstance(report, Failure):
        return report
    return _with_offered_fixes(text, display, settings, module, report, units, parser)


def _project_report(
    text: str, display: str, settings: Settings, module: str, local: LocalIndex
) -> tuple[ModuleReport, bool] | Failure:
    """The module's report under its view of the index ``local`` (`ModuleReport.view`), and
    whether its fixes were left unchecked: when the view is not complete they are removed,
    and the pass that analyses the file again with its view of the whole index checks them,
    once."""
    units = unit_cache()
    parser = Reparser()
    complete = False

    def view_of(summary: ModuleSummary) -> dict[str, Any]:
        nonlocal complete
        view, complete = local.view(summary)
        return view

    report = guarded(
        lambda: analyse_source(
            text,
            display,
            settings,
            module,
            unit_cache=units,
            keep_tree=True,
            view_of=view_of,
            parsed=parser.parse(text),
        )
    )
    if isinstance(report, Failure):
        return report
    if not complete and any(f.fix is not None for f in report.findings):
        unchecked = [replace(f, fix=None) if f.fix is not None else f for f in report.findings]
        return replace(report, findings=unchecked, tree=None), True
    if report.view:
        settings = replace(settings, external_summaries=report.view)
    checked = _with_offered_fixes(text, display, settings, module, report, units, parser)
    return checked if isinstance(checked, Failure) else (checked, False)


def _with_offered_fixes(
    text: str,
    display: str,
    settings: Settings,
    module: str,
    report: ModuleReport,
    units: UnitCache,
    parser: Reparser,
) -> ModuleReport | Failure:
    findings = guarded(
        lambda: offered_fixes(text, display, settings, module, report, units, parser)
    )
    if isinstance(findings, Failure):
        return findings
    return replace(report, findings=findings, tree=None)


def _notebook_report(
    display: str, data: bytes, settings: Settings, module: str
) -> ModuleReport | str:
    """A notebook's code cells analysed as one module, each finding placed in its cell
    (with its fix, if that stays in the cell: ``--fix`` edits the cells' sources)."""
    from unleak.pipeline.notebook import to_cells
    from unleak.source.notebook import NotebookError, join_notebook

    try:
        joined = join_notebook(data)
    except NotebookError as exc:
        return str(exc)
    if "\x00" in joined.text:
        return "notebook contains NUL characters in its code; it is not Python source"
    report = _checked_report(joined.text, display, settings, module)
    if isinstance(report, Failure):
        return report.message
    return replace(report, findings=to_cells(report.findings, joined.map))


# Young objects (tracked allocations less deallocations) that wait for a collection. An
# analysis leaves little cyclic garbage (its cycles are broken when it is disposed), so a
# collection after every file mostly traversed survivors: about 4% of a check's CPU time.
YOUNG_OBJECTS_DUE = 100_000


@contextmanager
def one_collection() -> Iterator[None]:
    """The cyclic garbage collector held off while one file is analysed: a syntax tree's
    nodes all survive the collections its parse and analysis would trigger, so each was
    traversed again and again (a quarter of the CPU time over the standard library). The
    young generations are collected once enough objects piled up, after some file, and the
    automatic collector waits as long between files."""
    if not gc.isenabled():
        yield
        return
    first, *older = gc.get_threshold()
    if first < YOUNG_OBJECTS_DUE:
        gc.set_threshold(YOUNG_OBJECTS_DUE, *older)
    gc.disable()
    try:
        yield
    finally:
        if gc.get_count()[0] >= YOUNG_OBJECTS_DUE:
            gc.collect(1)
        gc.enable()


def run_task(task: Task, local: LocalIndex | None = None) -> Outcome:
    """Read (unless given), hash and analyse one file. Never raises. ``local``: the copy of
    the project index a first-pass task (`Task.project`) is analysed with; by default, this
    worker process's own."""
    with one_collection():
        return _run_task(task, local)


def _run_task(task: Task, local: LocalIndex | None) -> Outcome:
    size = mtime_ns = -1
    data = task.data
    if data is None:
        assert task.path is not None
        try:
            # Stat the open file before reading: were it rewritten meanwhile, the cache would
            # pair the new bytes with the old mtime, which the next run sees as a change.
            # Only regular files: opening a FIFO or reading a device named *.py blocks.
            if not stat.S_ISREG(os.stat(task.path).st_mode):
                return failed("not a regular file")
            with open(task.path, "rb") as fh:
                st = os.fstat(fh.fileno())
                size, mtime_ns = st.st_size, st.st_mtime_ns
                data = fh.read()
        except OSError as exc:
            return failed(f"cannot read file: {exc.strerror or exc}")
    if task.fix is not None:
        from unleak.cli.fixing import fix_task

        return fix_task(task, data, size, mtime_ns)
    digest = hashlib.sha256(data).hexdigest()
    if local is None and task.project is not None:
        local = _worker_index(task.project)
    found = _report(task.display, data, task.settings, task.module, local)
    if isinstance(found, str):
        return failed(found, size, mtime_ns, digest)
    report, unchecked = found if isinstance(found, tuple) else (found, False)
    return analysed(
        size,
        mtime_ns,
        digest,
        report.findings,
        report.summary,
        unchecked=unchecked,
        external=external_hash(report.view),
    )


# A worker process's copy of the project index (the process serves one run: see
# `runner._Lane`).
_WORKER_INDEX: LocalIndex | None = None


def _worker_index(project: frozenset[str]) -> LocalIndex:
    global _WORKER_INDEX
    known = _WORKER_INDEX
    if known is None or (known.project is not project and known.project != project):
        known = _WORKER_INDEX = LocalIndex(project)
    return known


def run_chunk(
    tasks: list[Task], summaries: list[list[Any]] | None = None, local: LocalIndex | None = None
) -> list[Outcome]:
    """Run the tasks; ``summaries``: what the project index learned since this worker's last
    chunk (added to its copy first); ``local``: the copy to use instead (a serial run's)."""
    if local is None and tasks and tasks[0].project is not None:
        local = _worker_index(tasks[0].project)
    if summaries and local is not None:
        local.absorb(summaries)
    return [run_task(task, local) for task in tasks]


def analyse(display: str, data: bytes, settings: Settings, module: str = "") -> FileResult:
    """One file's findings from its bytes (no cache, no other modules)."""
    outcome = run_task(Task(display, None, data, settings, module))
    if outcome.error is not None:
        return FileResult(display, error=outcome.error)
    return FileResult(display, findings=[unpack_finding(f) for f in outcome.findings])
