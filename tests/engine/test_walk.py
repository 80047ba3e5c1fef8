"""`unleak.source.walk` gives exactly what `ast.walk` and `ast.iter_child_nodes` give, in
the same order (the engine's results depend on the order of what it finds)."""

from __future__ import annotations

import ast
import sysconfig
from pathlib import Path

import pytest
from unleak.findings.process_lifetime import _lines_with, _targets
from unleak.source.walk import children, walk

STDLIB = Path(sysconfig.get_paths()["stdlib"])
MODULES = sorted(STDLIB.glob("*.py"))[::9]


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_the_same_nodes_in_the_same_order(path: Path) -> None:
    tree = ast.parse(path.read_bytes())
    nodes = walk(tree)
    assert [id(n) for n in nodes] == [id(n) for n in ast.walk(tree)]
    for node in nodes[:2000]:
        assert [id(c) for c in children(node)] == [id(c) for c in ast.iter_child_nodes(node)]


TARGETS = '''\
@decorate(target=first)
class Workers:
    """A target in a docstring."""

    def start(self):
        x = f"{Thread(target=worker)}"
        Process(
            name="p",
            target=second,
        ).start()
        other(target=self.method)  # not a name

    def unrelated(self):
        return Thread(args=(1,))
'''


def test_process_targets_are_found_walking_only_the_lines_that_spell_target() -> None:
    """The walk skips what lies on no line with the word; it finds what a full walk does, in
    the same order (decorators before a definition's line, f-strings, multi-line calls)."""
    (stmt,) = ast.parse(TARGETS).body
    pruned = _targets(stmt, _lines_with("target", TARGETS))
    full = _targets(stmt)
    assert [name.id for _, name in pruned] == ["first", "worker", "second"]
    assert [(id(f), id(n)) for f, n in pruned] == [(id(f), id(n)) for f, n in full]
