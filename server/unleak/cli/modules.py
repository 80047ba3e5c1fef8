"""Dotted module names from file paths (shared with the language server: see
:mod:`unleak.index.modules`)."""

from unleak.index.modules import ModuleNamer, module_name

__all__ = ["ModuleNamer", "module_name"]
