"""Which frames belong to the project: the first of them is where a runtime leak is shown.

The project root is the directory of the nearest ``pyproject.toml`` above the working
directory, or the working directory itself. A frame is in the project when its file is
under the root and not part of an interpreter (its prefixes), a ``site-packages`` or
``dist-packages`` directory, or a virtual environment.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from unleak.trace.bootstrap._unleak_sites import ENVIRONMENTS as _ENVIRONMENTS
from unleak.trace.bootstrap._unleak_sites import THIRD_PARTY as _THIRD_PARTY
from unleak.trace.report import Frame


def project_root(cwd: Path) -> Path:
    for directory in (cwd, *cwd.parents):
        if (directory / "pyproject.toml").is_file():
            return directory
    return cwd


def _prefixes(paths: Iterable[str]) -> tuple[str, ...]:
    """Each path as spelled and resolved, as a directory prefix."""
    found = []
    for p in paths:
        if p:
            found += [os.path.abspath(p) + os.sep, os.path.realpath(p) + os.sep]
    return tuple(dict.fromkeys(found))


class ProjectFiles:
    """Decides, with a cache, whether a file name from a traceback is a project file.

    The root is resolved (the working directory always is); a file reached through a
    symbolic link (a script or ``PYTHONPATH`` entry spelled through a linked directory) is
    in the project when its resolved path is, and is named by that path."""

    def __init__(self, root: Path, prefixes: Iterable[str] = ()) -> None:
        self.root = os.path.realpath(root)
        self.prefixes = _prefixes(prefixes)
        self._cache: dict[str, str | None] = {}

    def add_prefixes(self, prefixes: Iterable[str]) -> None:
        self.prefixes += _prefixes(prefixes)
        self._cache.clear()

    def __contains__(self, filename: str) -> bool:
        return self.project_path(filename) is not None

    def project_path(self, filename: str) -> str | None:
        """The file's path under the root when it is a project file, else None."""
        if filename not in self._cache:
            self._cache[filename] = self._decide(filename)
        return self._cache[filename]

    def _decide(self, filename: str) -> str | None:
        if not filename or filename.startswith("<") or not os.path.isabs(filename):
            return None  # <frozen ...>, <string>, exec'd code
        path = os.path.abspath(filename)
        if not path.startswith(self.root + os.sep):
            path = os.path.realpath(path)
        if not path.startswith(self.root + os.sep) or path.startswith(self.prefixes):
            return None
        parts = set(Path(os.path.relpath(path, self.root)).parts)
        return None if parts & _THIRD_PARTY or parts & _ENVIRONMENTS else path


def to_frames(raw: Any, files: ProjectFiles, cwd: str = "") -> tuple[Frame, ...]:
    """Frames from a process record (``[file, line]`` or ``[file, line, function]``).

    A relative file name (the script as given on the command line, before Python 3.9) is
    taken relative to the process's working directory.
    """
    frames = []
    if not isinstance(raw, list):
        return ()
    for item in raw:
        if not isinstance(item, list) or len(item) < 2:
            continue
        file, line = item[0], item[1]
        if not isinstance(file, str) or not isinstance(line, int) or isinstance(line, bool):
            continue
        if cwd and file and not file.startswith("<") and not os.path.isabs(file):
            file = os.path.normpath(os.path.join(cwd, file))
        function = item[2] if len(item) > 2 and isinstance(item[2], str) else None
        in_project = files.project_path(file)
        frames.append(Frame(in_project or file, line, function, in_project is not None))
    return tuple(frames)


def first_project_frame(*tracebacks: Sequence[Frame]) -> Frame | None:
    for frames in tracebacks:
        for frame in frames:
            if frame.project:
                return frame
    return None
