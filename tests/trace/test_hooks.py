"""The creation hooks cover the static catalogue: a resource made with any of its standard
library factories records the stack of the project line that made it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from unleak.catalogue import FACTORIES
from unleak.trace.bootstrap import _unleak_sites
from unleak.trace.mapping import ProjectFiles

from .helpers import run_trace

# Catalogue entries with no hook, and why.
NOT_HOOKED = {
    "io.FileIO": "a C type the interpreter also makes for every open(): cannot be replaced",
    "select.epoll": "a C type that cannot be subclassed (selectors are hooked)",
    "select.kqueue": "a C type that cannot be subclassed (selectors are hooked)",
    "contextlib.ExitStack": "holds nothing of its own",
    "contextlib.AsyncExitStack": "holds nothing of its own",
}


def _standard_library_factories() -> list[str]:
    return sorted(
        name
        for name, factory in FACTORIES.items()
        if name.split(".")[0] in sys.stdlib_module_names
        and not factory.wrapper  # wrappers hold a resource recorded where it was made
        and name not in NOT_HOOKED
    )


def test_every_catalogue_factory_records_the_line_that_called_it(project: Path) -> None:
    names = _standard_library_factories()
    assert "multiprocessing.Pool" in names and "asyncio.open_connection" in names
    traced = run_trace(
        project, [sys.executable, "catalogue_sites.py", json.dumps(names)], "--no-check"
    )
    assert traced.code == 0, traced.err
    recorded = json.loads(traced.out)
    # Every factory this Python has (dbm.gnu needs a library, telnetlib is gone in 3.13).
    assert len(recorded) >= len(names) - 6, sorted(set(names) - set(recorded))
    wrong = {
        name: (first, last, line)
        for name, (first, last, line) in recorded.items()
        if line is None or not first <= line <= last
    }
    assert wrong == {}


def test_project_rules_are_the_reports() -> None:
    """The traced process stops its stacks at the frame the report will call the project's."""
    root = Path("/work/app")
    files = ProjectFiles(root, ["/usr/lib/python3"])
    here = _unleak_sites.Project()
    here.configure(str(root), str(root), ["/usr/lib/python3"])
    for name in (
        "/work/app/app.py",
        "/work/app/pkg/mod.py",
        "/work/app/.venv/lib/python3.11/site-packages/lib.py",
        "/work/app/vendor/site-packages/lib.py",
        "/work/app/node_modules/x/y.py",
        "/work/app/.tox/py/lib/z.py",
        "/work/other/app.py",
        "/usr/lib/python3/os.py",
        "<string>",
        "<frozen importlib._bootstrap>",
    ):
        assert (name in here) == (name in files), name


def test_project_reached_through_a_symbolic_link(tmp_path: Path) -> None:
    """A root or a file spelled through a linked directory is still the project's (the
    working directory, which the root comes from, is always resolved); the report names a
    project file by its resolved path."""
    real = tmp_path / "real"
    (real / "pkg").mkdir(parents=True)
    (real / "pkg" / "mod.py").write_text("x = 1\n")
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    for root in (real, link):
        files = ProjectFiles(root)
        here = _unleak_sites.Project()
        here.configure(str(root), str(real), [])
        for spelled in (real / "pkg" / "mod.py", link / "pkg" / "mod.py"):
            assert str(spelled) in here, (root, spelled)
            assert files.project_path(str(spelled)) == str(real / "pkg" / "mod.py")
        outside = tmp_path / "other.py"
        assert str(outside) not in here and files.project_path(str(outside)) is None
