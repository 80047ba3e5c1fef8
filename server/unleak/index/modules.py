"""Dotted module names from file paths, as the import system would name them.

A file's module name is its stem prefixed by the directories above it that are packages
(hold an ``__init__.py``): ``src/pkg/sub/mod.py`` with ``pkg/__init__.py`` and
``pkg/sub/__init__.py`` is ``pkg.sub.mod``; a script ``tool.py`` is ``tool``; a package's
``__init__.py`` is the package itself.
"""

from __future__ import annotations

import os

_INITS = ("__init__.py", "__init__.pyi")


class ModuleNamer:
    """Names modules, remembering each directory's dotted name (one stat per directory)."""

    def __init__(self) -> None:
        # Directory -> its dotted package name, or "" when it is not a package.
        self._packages: dict[str, str] = {}

    def _package(self, directory: str) -> str:
        known = self._packages.get(directory)
        if known is not None:
            return known
        chain: list[str] = []  # directories still to name, innermost first
        while known is None:
            chain.append(directory)
            parent = os.path.dirname(directory)
            if parent == directory:
                known = ""
                break
            directory = parent
            known = self._packages.get(directory)
        for directory in reversed(chain):
            is_package = any(os.path.isfile(os.path.join(directory, i)) for i in _INITS)
            base = os.path.basename(directory)
            if not is_package or not base:
                known = ""
            else:
                known = f"{known}.{base}" if known else base
            self._packages[directory] = known
        return known

    def name(self, path: str) -> str:
        directory, base = os.path.split(os.path.abspath(path))
        package = self._package(directory)
        if base in _INITS:
            # A package's own module, even if the check for its __init__.py failed.
            return package or os.path.basename(directory)
        stem = os.path.splitext(base)[0] or base
        if base.endswith(".ipynb"):
            # No import reaches a notebook: a name none can spell, so that it never takes
            # the place of the module `stem.py` in the index.
            stem += "-ipynb"
        return f"{package}.{stem}" if package else stem


def module_name(path: str) -> str:
    return ModuleNamer().name(path)
