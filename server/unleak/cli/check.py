"""``unleak check``: configuration, discovery, the run, and the report, in that order."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from unleak.cli.cache import CACHE_DIR_NAME, Cache
from unleak.cli.discovery import Excluder, discover
from unleak.cli.fixing import FixMode
from unleak.cli.formats import RENDERERS, Report
from unleak.cli.formats.base import plural
from unleak.cli.modules import ModuleNamer
from unleak.cli.paths import PathDisplay, display_path
from unleak.cli.progress import Progress
from unleak.cli.resolve import SettingsResolver
from unleak.cli.results import FileResult, missing_path, unreadable_directory
from unleak.cli.runner import FileJob, run
from unleak.cli.statistics import render_statistics
from unleak.config import Config, find_pyproject, load_config, load_config_file
from unleak.config.validation import check_code_prefix
from unleak.settings import Severity

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class UsageError(Exception):
    """A bad combination of command-line options."""


def _config(ns: argparse.Namespace, start: Path) -> Config:
    if ns.config:
        return load_config_file(Path(ns.config))
    if ns.no_config:
        # No settings, but the project root still decides where the cache lives.
        _, nearest = find_pyproject(start)
        return Config(root=nearest.parent if nearest else Path(os.getcwd()))
    return load_config(start)


def _override(codes: tuple[str, ...] | None, option: str) -> tuple[str, ...] | None:
    if codes is None:
        return None
    return tuple(check_code_prefix(c, option) for c in codes)


def _start(paths: list[str], cwd: Path) -> Path:
    """Where the configuration search starts: the deepest directory holding every path."""
    absolute = [os.path.abspath(p) for p in paths]
    try:
        return Path(os.path.commonpath(absolute)) if absolute else cwd
    except ValueError:  # different drives on Windows
        return cwd


def run_check(ns: argparse.Namespace) -> int:
    cwd = Path(os.getcwd())
    paths: list[str] = list(ns.paths)
    stdin_mode = ns.stdin_filename is not None or paths == ["-"]
    if stdin_mode and paths not in ([], ["-"]):
        raise UsageError("--stdin-filename and - cannot be combined with other paths")
    if not stdin_mode and "-" in paths:
        raise UsageError("- (stdin) cannot be combined with other paths")
    stdin_name = ns.stdin_filename or "-"
    if stdin_mode:
        start = Path(os.path.abspath(stdin_name)).parent if ns.stdin_filename else cwd
    else:
        paths = paths or ["."]
        start = _start(paths, cwd)

    config = _config(ns, start)
    resolver = SettingsResolver(
        config,
        _override(ns.select, "--select"),
        _override(ns.ignore, "--ignore"),
        _override(ns.extend_select, "--extend-select"),
    )

    missing: list[str] = []
    dir_errors: list[tuple[str, str]] = []
    ignored = 0
    jobs: list[FileJob] = []
    data = b""
    if stdin_mode:
        data = sys.stdin.buffer.read()
        target = Path(os.path.abspath(stdin_name))
        # An excluded file is not checked, even when an editor sends it on stdin.
        if not (ns.stdin_filename and Excluder(config).excluded(target, is_dir=False)):
            module = ModuleNamer().name(str(target)) if ns.stdin_filename else ""
            jobs.append(FileJob(stdin_name, None, resolver.for_path(target), data, module))
    else:
        found = discover(paths, config)
        missing, dir_errors, ignored = found.missing, found.errors, found.ignored
        shown, namer = PathDisplay(cwd), ModuleNamer()
        jobs = [
            FileJob(shown(f), f, resolver.for_path(f), None, namer.name(f)) for f in found.files
        ]

    fix = None
    if ns.fix or ns.diff:
        fix = FixMode(unsafe=ns.unsafe_fixes, write=not ns.diff, diff=ns.diff)
    cache = None
    if not ns.no_cache:
        cache = Cache(Path(ns.cache_dir) if ns.cache_dir else config.root / CACHE_DIR_NAME)
    progress = _progress(ns, stdin_mode)
    try:
        results, stats = run(jobs, cache, ns.jobs or os.cpu_count() or 1, fix, progress)
    finally:
        if progress is not None:
            progress.close()

    # Paths that were never files to check still count as not checked, in every format.
    unchecked = [missing_path(p) for p in missing]
    unchecked += [unreadable_directory(display_path(Path(p), cwd), m) for p, m in dir_errors]
    _report_errors(unchecked + results)
    failed = any(r.error is not None for r in unchecked + results)
    if ns.diff:
        return _print_diff(results, ns, failed)
    if ns.fix and stdin_mode:
        return _print_fixed_source(results, data, ns, failed)
    report = Report(
        results + unchecked,
        quiet=ns.quiet,
        unsafe=ns.unsafe_fixes,
        fixed=sum(r.applied for r in results) if ns.fix else None,
        runtime=_runtime_counts(ns.trace, jobs, results) if ns.trace else None,
    )
    if ns.statistics:
        output = render_statistics(report, ns.format)
    else:
        output = RENDERERS[ns.format](report)
    sys.stdout.write(output)
    sys.stdout.flush()
    if not jobs and not missing and not dir_errors and not ns.quiet and not stdin_mode:
        hint = (
            f" ({plural(ignored, 'path')} left out by a .gitignore or the `exclude` setting;"
            " name a file to check it anyway)"
            if ignored
            else ""
        )
        print(f"unleak: warning: no Python files found{hint}", file=sys.stderr)
    if ns.verbose:
        print(
            f"unleak: {plural(stats.files, 'file')}, {stats.cached} from cache, "
            f"{stats.analysed} analysed, {plural(stats.workers, 'worker process', 'es')}, "
            f"{stats.cross_module} analysed again with other modules' exports",
            file=sys.stderr,
        )

    if report.errors:
        return EXIT_ERROR
    if _problems(results) and not ns.exit_zero:
        return EXIT_FINDINGS
    return EXIT_CLEAN


def _progress(ns: argparse.Namespace, stdin_mode: bool) -> Progress | None:
    """Progress for a person watching a terminal; never for machine formats or pipes."""
    if stdin_mode or ns.quiet or ns.format in ("json", "sarif") or not sys.stderr.isatty():
        return None
    return Progress(sys.stderr)


def _runtime_counts(
    trace: str, jobs: list[FileJob], results: list[FileResult]
) -> dict[tuple[str, int, int, str], int] | None:
    """--trace: how often the traced run saw each finding's leak; None if the report is
    unusable (said on stderr; the check goes on without it)."""
    from unleak.trace.crosscheck import confirmed_count, runtime_index
    from unleak.trace.report import load_report

    loaded = load_report(trace)
    if isinstance(loaded, str):
        print(f"unleak: warning: ignoring the trace report {trace}: {loaded}", file=sys.stderr)
        return None
    index = runtime_index(loaded.leaks)
    counts: dict[tuple[str, int, int, str], int] = {}
    for job, result in zip(jobs, results, strict=True):
        path = job.path or os.path.abspath(job.display)
        for f in result.findings:
            counts[(result.display, f.span.line, f.span.column, f.code)] = confirmed_count(
                index, path, f
            )
    return counts


def _problems(results: list[FileResult]) -> bool:
    """Whether any finding fails the run: a note that a part was not checked (UL001 as
    information: newer syntax than this Python's, nesting too deep) does not, or valid code
    for a newer Python would fail every pre-commit run."""
    return any(
        not (f.code == "UL001" and f.severity is Severity.INFO) for r in results for f in r.findings
    )


def _exit_code(failed: bool, problems: bool, ns: argparse.Namespace) -> int:
    if failed:
        return EXIT_ERROR
    return EXIT_FINDINGS if problems and not ns.exit_zero else EXIT_CLEAN


def _print_diff(results: list[FileResult], ns: argparse.Namespace, failed: bool) -> int:
    """``--diff``: the changes on stdout, how many fixes on stderr; exit 1 if any."""
    sys.stdout.write("".join(r.diff for r in results))
    sys.stdout.flush()
    applied = sum(r.applied for r in results)
    # Nothing was checked (every path missing or unreadable): the errors said it all.
    checked = any(r.error is None for r in results)
    if not ns.quiet and (checked or not failed):
        if applied:
            print(f"Would fix {plural(applied, 'problem')}.", file=sys.stderr)
        else:
            print("No fixes would be applied.", file=sys.stderr)
    return _exit_code(failed, applied > 0, ns)


def _print_fixed_source(
    results: list[FileResult], data: bytes, ns: argparse.Namespace, failed: bool
) -> int:
    """``--fix`` on stdin: the fixed source on stdout and nothing else (as ruff does); the
    source unchanged when nothing was fixed or it could not be checked."""
    fixed = next((r.fixed for r in results if r.fixed is not None), None)
    sys.stdout.flush()
    sys.stdout.buffer.write(fixed if fixed is not None else data)
    sys.stdout.buffer.flush()
    return _exit_code(failed, _problems(results), ns)


def _report_errors(results: list[FileResult]) -> None:
    for r in results:
        if r.error is not None:
            print(f"{r.display}: error: {r.error}", file=sys.stderr)
