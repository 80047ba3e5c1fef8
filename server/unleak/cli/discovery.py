"""Expanding the paths given on the command line into the Python files (and notebooks) to
check.

Directories are walked with ``.gitignore`` files honoured (pathspec's git semantics, last
match wins, deeper files override), the configured ``exclude`` patterns applied, and the
usual tool and environment directories skipped. A file named on the command line is
checked whatever its extension, unless the configuration excludes it; a directory named there
is walked even when a ``.gitignore`` above it ignores it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from unleak.cli.paths import relative_posix
from unleak.config import Config

if TYPE_CHECKING:
    from pathspec import GitIgnoreSpec

# Never walked into; a file inside them is still checked when named explicitly.
DEFAULT_SKIPS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        "__pycache__",
        "node_modules",
        "build",
        "dist",
        ".tox",
        ".nox",
        "site-packages",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        ".unleak_cache",
    }
)
# Notebooks too, as ruff finds them: their code cells are checked as one module.
PYTHON_SUFFIXES = (".py", ".pyi", ".ipynb")


@dataclass
class Discovered:
    files: list[str] = field(default_factory=list)  # absolute paths, sorted, unique
    missing: list[str] = field(default_factory=list)  # explicitly named, do not exist
    errors: list[tuple[str, str]] = field(default_factory=list)  # (path, message)
    # Files and directories left out by a .gitignore or the configuration's exclude.
    ignored: int = 0


@dataclass(frozen=True)
class _Ignore:
    """One ``.gitignore`` file: its patterns apply to paths below its directory."""

    base: Path
    spec: GitIgnoreSpec


class Excluder:
    """The configuration's ``exclude``/``extend-exclude`` patterns, relative to its root."""

    def __init__(self, config: Config) -> None:
        self.root = config.root
        self.active = bool(config.all_excludes)
        if self.active:  # pathspec is slow to import: only when there are patterns
            from pathspec import GitIgnoreSpec

            self.spec = GitIgnoreSpec.from_lines(config.all_excludes)

    def excluded(self, path: Path, is_dir: bool) -> bool:
        if not self.active:
            return False
        rel = relative_posix(path, self.root)
        if rel in ("", "."):
            return False
        return self.spec.match_file(rel + "/" if is_dir else rel)


def _load_gitignore(directory: Path) -> _Ignore | None:
    try:
        text = (directory / ".gitignore").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    from pathspec import GitIgnoreSpec

    lines = text.splitlines()
    try:
        spec = GitIgnoreSpec.from_lines(lines)
    except (ValueError, re.error):  # re.error: a bad range such as `[z-a]`
        # Git skips a pattern it cannot parse; so do we, keeping the rest of the file.
        spec = GitIgnoreSpec.from_lines(line for line in lines if _valid_pattern(line))
    return _Ignore(directory, spec)


def _valid_pattern(line: str) -> bool:
    from pathspec import GitIgnoreSpec

    try:
        GitIgnoreSpec.from_lines([line])
    except (ValueError, re.error):
        return False
    return True


def _gitignored(path: Path, is_dir: bool, ignores: Sequence[_Ignore]) -> bool:
    ignored = False
    for ignore in ignores:  # outermost first: the last file with a matching pattern wins
        rel = path.relative_to(ignore.base).as_posix() + ("/" if is_dir else "")
        result = ignore.spec.check_file(rel)
        if result.include is not None:
            ignored = result.include
    return ignored


def _ancestor_ignores(directory: Path, config_root: Path) -> list[_Ignore]:
    """``.gitignore`` files above ``directory`` up to the repository (or project) root."""
    if (directory / ".git").exists():
        return []
    chain: list[Path] = []
    for parent in directory.parents:
        chain.append(parent)
        if (parent / ".git").exists():
            break
    else:
        # Not in a git repository: go no higher than the project root.
        chain = [p for p in directory.parents if p == config_root or config_root in p.parents]
    ignores = [_load_gitignore(p) for p in reversed(chain)]
    return [i for i in ignores if i is not None]


def _sort_key(path: str) -> list[str]:
    # The order of pathlib's comparison on POSIX (part by part), without building Paths.
    return path.split("/")


def discover(paths: Iterable[str], config: Config) -> Discovered:
    result = Discovered()
    excluder = Excluder(config)
    found: set[str] = set()
    for arg in paths:
        path = Path(os.path.abspath(arg))
        if not os.path.lexists(path):
            result.missing.append(arg)
        elif path.is_dir():
            if not excluder.excluded(path, is_dir=True):
                _walk(path, config, excluder, found, result)
            else:
                result.ignored += 1
        elif not excluder.excluded(path, is_dir=False):
            found.add(str(path))
        else:
            result.ignored += 1
    if os.sep == "/":
        result.files = sorted(found, key=_sort_key)
    else:
        result.files = [str(p) for p in sorted(Path(p) for p in found)]
    return result


def _walk(
    top: Path, config: Config, excluder: Excluder, found: set[str], result: Discovered
) -> None:
    # An explicit stack instead of recursion: directory depth must not hit the recursion limit.
    # Paths stay strings unless a pattern has to be matched: most trees have few patterns.
    ancestors = _ancestor_ignores(top, config.root)
    # A directory named on the command line is walked even when a .gitignore above it ignores
    # it, as a file named there is checked (and as ruff does): pyenv's .gitignore ignores its
    # versions/, and the standard library in them. That file's other patterns go with it.
    ancestors = [i for i in ancestors if not _gitignored(top, True, [i])]
    stack: list[tuple[str, list[_Ignore]]] = [(str(top), ancestors)]
    while stack:
        directory, ignores = stack.pop()
        own = _load_gitignore(Path(directory))
        if own is not None:
            ignores = [*ignores, own]
        try:
            with os.scandir(directory) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            result.errors.append((directory, f"cannot read directory: {exc.strerror or exc}"))
            continue
        patterns = bool(ignores) or excluder.active
        subdirs: list[str] = []
        for entry in entries:
            try:
                is_dir = entry.is_dir(follow_symlinks=False)  # no symlink loops
                # A link to a file is followed; a dangling one named like a Python file is
                # kept too, so reading it says what is wrong (as ruff does) instead of the
                # file silently not being checked.
                is_file = not is_dir and (entry.is_file() or _dangling(entry))
            except OSError:
                # A link that cannot be followed (a loop) is kept as a dangling one is.
                is_dir, is_file = False, True
            if is_dir:
                name = entry.name
                if name in DEFAULT_SKIPS or name.endswith(".egg-info"):
                    continue
                if patterns:
                    path = Path(entry.path)
                    if _gitignored(path, True, ignores) or excluder.excluded(path, True):
                        result.ignored += 1
                        continue
                subdirs.append(entry.path)
            elif is_file and entry.name.endswith(PYTHON_SUFFIXES):
                if patterns:
                    path = Path(entry.path)
                    if _gitignored(path, False, ignores) or excluder.excluded(path, False):
                        result.ignored += 1
                        continue
                found.add(entry.path)
        stack.extend((d, ignores) for d in reversed(subdirs))


def _dangling(entry: os.DirEntry[str]) -> bool:
    return entry.is_symlink() and not os.path.exists(entry.path)
