"""A worker's own copy of the project index, so that pass 1 can analyse a file with its view.

The runner sends each worker the summaries the others found since its last chunk (see
`runner._Lanes`); a worker adds each summary it finds itself at once. A file is analysed
with its view of what is known so far. That view is *complete* when every project module the
file's imports reach (through their own imports, transitively) is known: it is then the view
the whole index will give, and the file's fixes can be checked at once. Whether or not it is,
the runner compares the view a file was analysed with to its final view and analyses it
again only when they differ, so the findings never depend on the order files were analysed
in.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from unleak.index.model import ModuleSummary
from unleak.index.project import ProjectIndex


class _GrowingIndex(ProjectIndex):
    """The index of a run's first pass: summaries only arrive. What a module whose imports
    reach only known modules exports is kept when another summary arrives (the index
    forgets every answer then), since nothing it depends on can still change; were one to
    change after all, the runner's comparison of the final views would catch it."""

    def __init__(self, complete: set[str]) -> None:
        super().__init__()
        self._complete_modules = complete
        self._final: dict[str, list[str]] = {}

    def exported_names(self, module: str) -> list[str]:
        if module not in self._complete_modules:
            return super().exported_names(module)
        found = self._final.get(module)
        if found is None:
            found = self._final[module] = super().exported_names(module)
        return list(found)


class LocalIndex:
    def __init__(self, project: frozenset[str]) -> None:
        self.project = project
        # Modules whose imports reach only known modules: stays true as summaries arrive
        # (a run never changes a summary it has).
        self._complete: set[str] = set()
        self.index: ProjectIndex = _GrowingIndex(self._complete)
        self._imported: dict[str, set[str]] = {}  # module -> the project modules it imports

    def absorb(self, summaries: Iterable[list[Any]]) -> None:
        for data in summaries:
            self.index.put(ModuleSummary.from_data(data))

    def view(self, summary: ModuleSummary) -> tuple[dict[str, Any], bool]:
        """The module's view of what is known, and whether it is complete. The summary is
        taken as its data's round trip, as the runner's index takes it."""
        own = ModuleSummary.from_data(summary.to_data())
        self.index.put(own)
        complete = self._reaches_known(own)
        return self.index.view_for(own.name, own.needs(), own.calls), complete

    def _modules_of(self, summary: ModuleSummary) -> set[str]:
        """The project modules a module's imports name (`a.b.c` names `a`, `a.b`, `a.b.c`)."""
        found = self._imported.get(summary.name)
        if found is not None:
            return found
        out: set[str] = set()
        project = self.project
        for qual in summary.needs():
            parts = qual.split(".")
            for n in range(1, len(parts) + 1):
                name = ".".join(parts[:n])
                if name in project:
                    out.add(name)
        out.discard(summary.name)
        if summary.name:
            self._imported[summary.name] = out
        return out

    def _reaches_known(self, summary: ModuleSummary) -> bool:
        complete = self._complete
        modules = self.index.modules
        todo = [m for m in self._modules_of(summary) if m not in complete]
        seen = set(todo)
        while todo:
            name = todo.pop()
            known = modules.get(name)
            if known is None:
                return False
            for dep in self._modules_of(known):
                if dep not in seen and dep not in complete:
                    seen.add(dep)
                    todo.append(dep)
        # Everything reached is known, so each of those reaches only known modules too.
        complete.update(seen)
        if summary.name:
            complete.add(summary.name)
        return True
