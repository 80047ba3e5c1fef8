"""The project index remembers answers that depend on every summary (exported names, a
class's factory methods) and must forget them whenever a summary is put or removed: the
editor updates the index one module at a time."""

from __future__ import annotations

from unleak.index.model import ModuleSummary
from unleak.index.project import ProjectIndex

FILE = ("file", (), None, ("p",), (), ())


def test_exported_names_follow_a_changed_reexport() -> None:
    index = ProjectIndex(
        [
            ModuleSummary("pkg.db", functions={"connect": FILE}),
            ModuleSummary("pkg", imports={"connect": "pkg.db.connect"}),
        ]
    )
    assert index.exported_names("pkg") == ["connect"]
    # The factory is renamed in its module: the package's re-export no longer resolves.
    assert index.put(ModuleSummary("pkg.db", functions={"open_db": FILE}))
    assert index.exported_names("pkg") == []
    assert index.put(ModuleSummary("pkg.db", functions={"connect": FILE}))
    assert index.exported_names("pkg") == ["connect"]
    assert index.remove("pkg.db")
    assert index.exported_names("pkg") == []


def test_exported_names_are_a_fresh_list_each_time() -> None:
    index = ProjectIndex([ModuleSummary("m", functions={"connect": FILE})])
    first = index.exported_names("m")
    first.append("changed by a caller")
    assert index.exported_names("m") == ["connect"]
