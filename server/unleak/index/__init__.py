"""The project index: what each module gives the others (factories, resource classes,
functions that release or borrow their parameters), computed from source without importing
it, linked through imports, aliases and re-exports. A module's analysis gets its share of
the index (:meth:`ProjectIndex.view_for`) and never reads other files itself."""

from unleak.index.model import ModuleSummary
from unleak.index.project import ProjectIndex

__all__ = ["ModuleSummary", "ProjectIndex"]
