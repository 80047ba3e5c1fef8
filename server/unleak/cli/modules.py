"""Dotted module names from file paths, as the import system would name them.

A file's module name is its stem prefixed by the directories above it that are packages
(hold an ``__init__.py``): ``src/pkg/sub/mod.py`` with ``pkg/__init__.py`` and
``pkg/sub/__init__.py`` is ``pkg.sub.mod``; a script ``tool.py`` is ``tool``; a package's
``__init__.py`` is the package itself.
"""

from __future__ import annotations

import os

_INIT_STEMS = ("__init__.py", "__init__.pyi")


class ModuleNamer:
    """Names modules, remembering which directories are packages (one stat per directory)."""

    def __init__(self) -> None:
        self._packages: dict[str, bool] = {}

    def _is_package(self, directory: str) -> bool:
        known = self._packages.get(directory)
        if known is None:
            known = self._packages[directory] = os.path.isfile(
                os.path.join(directory, "__init__.py")
            ) or os.path.isfile(os.path.join(directory, "__init__.pyi"))
        return known

    def name(self, path: str) -> str:
        directory, base = os.path.split(os.path.abspath(path))
        parts: list[str] = []
        if base not in _INIT_STEMS:
            parts.append(os.path.splitext(base)[0] or base)
        elif not self._is_package(directory):
            # An __init__.py is always its directory's module, even if the check for the
            # directory's own __init__.py somehow failed.
            self._packages[directory] = True
        while self._is_package(directory):
            parent, package = os.path.split(directory)
            if not package or parent == directory:
                break
            parts.append(package)
            directory = parent
        return ".".join(reversed(parts))


def module_name(path: str) -> str:
    return ModuleNamer().name(path)
