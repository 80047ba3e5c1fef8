"""``unleak trace [--output PATH] -- COMMAND [ARGS...]``: run a command with leak tracing."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import unleak
from unleak.cli.check import UsageError
from unleak.trace.collect import collect
from unleak.trace.launch import Progress, install_bootstrap, run_command, tracing_env
from unleak.trace.mapping import project_root
from unleak.trace.report import DEFAULT_OUTPUT, Report, write_report
from unleak.trace.summary import render_summary

EXIT_NOT_FOUND = 127
MEMORY_MIN = 256 * 1024


def _command(ns: argparse.Namespace) -> list[str]:
    command = list(ns.cmd)
    if command and command[0] == "--":
        command = command[1:]
    if not command:
        raise UsageError("no command to trace: unleak trace [--output PATH] -- COMMAND [ARGS...]")
    return command


def _tracemalloc_depth(ns: argparse.Namespace) -> int:
    """Frames per allocation for tracemalloc; 0 (off) unless memory tracing is asked for:
    the hooks place resources, and tracemalloc slows the program several times over."""
    if ns.depth is not None:
        if ns.depth == 0 and (ns.memory or ns.memory_min is not None):
            raise UsageError("--memory needs tracemalloc: --depth 1 or more")
        return int(ns.depth)
    return 1 if ns.memory or ns.memory_min is not None else 0


def _output(ns: argparse.Namespace, root: Path) -> Path:
    """Where the report goes; checked before the command runs, so no run is wasted."""
    if ns.output:
        output = Path(os.path.abspath(ns.output))
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"cannot write the report {ns.output}: {exc.strerror}") from None
        if output.is_dir() or not os.access(output.parent, os.W_OK):
            raise UsageError(f"cannot write the report {ns.output}")
        return output
    output = root / DEFAULT_OUTPUT
    if not output.parent.exists():
        output.parent.mkdir(parents=True)
        # Generated output, like the cache: keep it out of version control.
        (output.parent / ".gitignore").write_text("*\n", encoding="utf-8")
    return output


def run_trace(ns: argparse.Namespace) -> int:
    command = _command(ns)
    depth = _tracemalloc_depth(ns)
    memory_min = ns.memory_min if ns.memory_min is not None else MEMORY_MIN
    cwd = Path(os.getcwd())
    root = project_root(cwd)
    output = _output(ns, root)
    created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    # A daemon the command left behind may still be writing its record: do not fail on it.
    with tempfile.TemporaryDirectory(prefix="unleak-trace-", ignore_cleanup_errors=True) as tmp:
        records = Path(tmp) / "records"
        records.mkdir()
        bootstrap = install_bootstrap(Path(tmp) / "bootstrap")
        env = tracing_env(os.environ, bootstrap, records, root, depth, memory_min)
        progress = Progress(records, enabled=(ns.progress or sys.stderr.isatty()) and not ns.quiet)
        outcome = run_command(command, env, progress)
        found = collect(records, root)
    notes = list(found.notes)
    if outcome.error:
        notes.insert(0, f"the command could not be started: {outcome.error}")
    elif not found.processes:
        notes.insert(
            0,
            "no Python process was traced: the command is not a Python program, its Python "
            "is older than 3.8, or it ran with -S, -I or -E (which skip the tracing bootstrap)",
        )
    leaks = found.leaks
    compared = not ns.no_check
    if leaks and compared:
        from unleak.trace.crosscheck import crosscheck  # the engine, only when needed

        try:
            leaks = crosscheck(leaks)
        except Exception as exc:  # the run's findings matter more than the comparison
            notes.append(f"not compared with the static analysis: {type(exc).__name__}: {exc}")
            compared = False
    report = Report(
        command=tuple(command),
        cwd=str(cwd),
        root=str(root),
        exit_code=outcome.exit_code,
        duration=outcome.duration,
        processes=tuple(found.processes),
        leaks=tuple(leaks),
        notes=tuple(notes),
        created=created,
        unleak_version=unleak.__version__,
    )
    write_report(report, output)
    if not ns.quiet or outcome.error:
        shown = os.path.relpath(output, cwd) if output.is_relative_to(cwd) else str(output)
        sys.stderr.write(render_summary(report, shown, cwd, compared))
        sys.stderr.flush()
    if outcome.error:
        return EXIT_NOT_FOUND
    return outcome.exit_code if outcome.exit_code is not None else EXIT_NOT_FOUND
