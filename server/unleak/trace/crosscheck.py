"""Runtime leaks against static findings: confirmed (a finding covers the line) or missed.

A static finding covers a runtime leak when the leak was allocated, in the same file, on a
line of the finding's acquisition (its "acquired here" note, or the finding itself). Every
project frame of the allocation traceback counts, not only the first: a function that
returns a fresh resource is reported where it is called (``fd = open_config()``). The
findings are those `unleak check` gives in the project's root (see `_static_findings`).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from unleak.trace.report import CONFIRMED, MISSED, RuntimeLeak

if TYPE_CHECKING:
    from unleak.findings.model import Finding

# What the static analysis does not model: held memory, exceptions in finalizers.
UNCHECKED_KINDS = frozenset({"memory", "unraisable"})


def acquisition_lines(finding: Finding) -> tuple[int, int]:
    for related in finding.related:
        if "acquired here" in related.message:
            return related.span.line, related.span.end_line
    return finding.span.line, finding.span.end_line


def covers(finding: Finding, line: int) -> bool:
    first, last = acquisition_lines(finding)
    return first <= line <= last


def _key(path: str) -> str:
    return os.path.normcase(os.path.realpath(path))


def _project_lines(leak: RuntimeLeak) -> list[tuple[str, int]]:
    """(file, line) of each project frame of the allocation, the first frame first; none
    when where it was allocated is unknown (only where it was noticed)."""
    if not leak.traceback:
        return []
    lines = [(f.file, f.line) for f in leak.project_frames]
    if leak.file and leak.line and (leak.file, leak.line) not in lines:
        lines.insert(0, (leak.file, leak.line))
    return lines


def runtime_index(leaks: Iterable[RuntimeLeak]) -> dict[str, list[tuple[int, RuntimeLeak]]]:
    """Checkable leaks by file (normalised real path): (line of a project frame, leak)."""
    index: dict[str, list[tuple[int, RuntimeLeak]]] = {}
    for leak in leaks:
        if leak.kind in UNCHECKED_KINDS:
            continue
        for file, line in _project_lines(leak):
            index.setdefault(_key(file), []).append((line, leak))
    return index


def confirmed_count(
    index: dict[str, list[tuple[int, RuntimeLeak]]], path: str, finding: Finding
) -> int:
    """How many times the run saw the leak this finding predicts (0: not seen)."""
    seen = {
        id(leak): leak.count for line, leak in index.get(_key(path), ()) if covers(finding, line)
    }
    return sum(seen.values())


def _static_findings(paths: Sequence[str]) -> dict[str, list[Finding]]:
    """Findings of the files, with their project's configuration and the result cache.

    A file of a project (a ``pyproject.toml`` above it) is analysed with the project's other
    files, as `unleak check` in the project's root does: a finding may need another module
    that no frame names (a class a package's ``__init__`` re-exports). Elsewhere (no
    ``pyproject.toml``: the root would be the working directory), the files alone."""
    from unleak.cli.cache import CACHE_DIR_NAME, Cache
    from unleak.cli.discovery import discover
    from unleak.cli.modules import ModuleNamer
    from unleak.cli.resolve import SettingsResolver
    from unleak.cli.runner import FileJob, default_jobs, run
    from unleak.config import Config, ConfigError, load_config

    jobs: dict[str, FileJob] = {}
    caches: dict[Path, Cache] = {}
    namer = ModuleNamer()

    def add(path: str, config: Config) -> None:
        if path not in jobs:
            settings = SettingsResolver(config).for_path(path)
            jobs[path] = FileJob(path, path, settings, None, namer.name(path))

    for path in paths:
        try:
            config = load_config(Path(path).parent)
        except ConfigError:
            continue  # unleak check reports a broken configuration; here it means "unknown"
        if config.root not in caches and (config.root / "pyproject.toml").is_file():
            for found in discover([str(config.root)], config).files:
                add(found, config)
        caches.setdefault(config.root, Cache(config.root / CACHE_DIR_NAME))
        add(path, config)
    if not jobs:
        return {}
    # One cache (the first project's) is enough: runtime leaks of a run share a project.
    results, _ = run(list(jobs.values()), next(iter(caches.values())), default_jobs())
    wanted = set(paths)
    return {
        job.path or "": result.findings
        for job, result in zip(jobs.values(), results, strict=True)
        if job.path in wanted
    }


def crosscheck(leaks: Sequence[RuntimeLeak]) -> list[RuntimeLeak]:
    """The leaks with ``status`` (confirmed / missed) and the confirming rules set."""
    checkable = [leak for leak in leaks if leak.kind not in UNCHECKED_KINDS]
    files = sorted(
        {file for leak in checkable for file, _ in _project_lines(leak) if os.path.isfile(file)}
    )
    findings = _static_findings(files)
    checked: list[RuntimeLeak] = []
    for leak in leaks:
        lines = _project_lines(leak) if leak.kind not in UNCHECKED_KINDS else []
        analysed = [(file, line) for file, line in lines if file in findings]
        if not analysed:
            checked.append(leak)  # nothing to compare with (no project frame, unreadable)
            continue
        rules = sorted(
            {f.code for file, line in analysed for f in findings[file] if covers(f, line)}
        )
        status = CONFIRMED if rules else MISSED
        checked.append(dataclasses.replace(leak, status=status, rules=tuple(rules)))
    return checked
