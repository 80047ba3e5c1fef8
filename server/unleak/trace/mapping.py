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


class ProjectFiles:
    """Decides, with a cache, whether a file name from a traceback is a project file."""

    def __init__(self, root: Path, prefixes: Iterable[str] = ()) -> None:
        self.root = os.path.abspath(root)
        self.prefixes = tuple(os.path.abspath(p) + os.sep for p in prefixes if p)
        self._cache: dict[str, bool] = {}

    def add_prefixes(self, prefixes: Iterable[str]) -> None:
        self.prefixes += tuple(os.path.abspath(p) + os.sep for p in prefixes if p)
        self._cache.clear()

    def __contains__(self, filename: str) -> bool:
        known = self._cache.get(filename)
        if known is None:
            known = self._cache[filename] = self._decide(filename)
        return known

    def _decide(self, filename: str) -> bool:
        if not filename or filename.startswith("<") or not os.path.isabs(filename):
            return False  # <frozen ...>, <string>, exec'd code
        path = os.path.abspath(filename)
        if not path.startswith(self.root + os.sep) or path.startswith(self.prefixes):
            return False
        parts = set(Path(os.path.relpath(path, self.root)).parts)
        return not (parts & _THIRD_PARTY or parts & _ENVIRONMENTS)


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
        frames.append(Frame(file, line, function, file in files))
    return tuple(frames)


def first_project_frame(*tracebacks: Sequence[Frame]) -> Frame | None:
    for frames in tracebacks:
        for frame in frames:
            if frame.project:
                return frame
    return None
