"""How paths are shown and matched against patterns."""

from __future__ import annotations

import os
from pathlib import Path


def display_path(path: Path, cwd: Path) -> str:
    """Relative to the working directory when below it (as ruff prints), else absolute."""
    try:
        return path.relative_to(cwd).as_posix() if path != cwd else "."
    except ValueError:
        return str(path)


class PathDisplay:
    """:func:`display_path` for many paths, by string operations (no ``Path`` arithmetic)."""

    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd
        self.prefix = os.path.join(str(cwd), "")

    def __call__(self, path: str) -> str:
        if path.startswith(self.prefix) and os.sep == "/":
            return path[len(self.prefix) :]
        return display_path(Path(path), self.cwd)


def relative_posix(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` for pattern matching; outside it, the absolute path
    without its anchor, so that unanchored patterns (``generated/``) still match."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix().lstrip("/") if os.sep == "/" else path.as_posix().split(":", 1)[-1]
