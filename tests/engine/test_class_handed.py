"""What a class hands on of its attributes (`constructors._handed_attrs`) is a fold of its
members' and its header's: the same as one walk of the whole class."""

from __future__ import annotations

import ast
import sysconfig
from pathlib import Path

import pytest
from unleak.source.facts import StatementFacts
from unleak.summaries.constructors import _class_handed, _handed_attrs

STDLIB = Path(sysconfig.get_paths()["stdlib"])
RELEASE = frozenset({"close", "shutdown", "release", "wait", "terminate"})


@pytest.mark.parametrize(
    "name", ["subprocess.py", "_pydecimal.py", "argparse.py", "tarfile.py", "socketserver.py"]
)
def test_a_class_fold_equals_one_walk_of_the_class(name: str) -> None:
    tree = ast.parse((STDLIB / name).read_text(encoding="utf-8"))
    facts = StatementFacts()
    facts.keep(tree.body)
    classes = [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]
    # A header that hands on an attribute (a base reached through a module).
    classes.append(ast.parse("class A(mod.Base, metaclass=m.Meta):\n    x = self.y\n").body[0])  # type: ignore[arg-type]
    assert len(classes) > 3
    for cls in classes:
        for table in (facts, None):  # kept per member, and computed
            assert _class_handed(table, cls, RELEASE) == _handed_attrs(cls, RELEASE), cls.name
