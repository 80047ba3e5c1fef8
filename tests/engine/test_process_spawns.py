"""The process-lifetime check skips looking for `target=` calls in a module none of whose
names can be a process class (`NameResolver.may_qualify_to`): the skip must never change
what `process_bodies` finds."""

from __future__ import annotations

import ast
import sysconfig
from pathlib import Path

import pytest
from unleak.findings.process_lifetime import (
    PROCESS_CLASSES,
    _keyword_lines,
    _targets,
    process_bodies,
)
from unleak.names.resolver import NameResolver

STDLIB = Path(sysconfig.get_paths()["stdlib"])


def _resolver(text: str, module: str = "") -> tuple[ast.Module, NameResolver]:
    tree = ast.parse(text)
    return tree, NameResolver(tree, module)


@pytest.mark.parametrize(
    ("text", "module"),
    [
        ("import multiprocessing\n", ""),
        ("import multiprocessing as mp\n", ""),
        ("from multiprocessing import Process as Worker\n", ""),
        ("from multiprocessing import context\n", ""),
        ("from . import context\n", "multiprocessing.pool"),  # relative, inside the package
        ("class Process: pass\n", "multiprocessing.context"),  # defined by the module itself
        ("def multiprocessing(): pass\n", ""),  # a local name spelling the package
        ("mp = importlib.import_module('multiprocessing')\n", ""),
    ],
)
def test_a_module_that_can_name_a_process_class(text: str, module: str) -> None:
    _, resolver = _resolver(text, module)
    assert resolver.may_qualify_to(PROCESS_CLASSES)


@pytest.mark.parametrize(
    ("text", "module"),
    [
        ("import os, threading\nfrom subprocess import Popen\n", ""),
        ("import multiprocessing_extra\nfrom concurrent import futures\n", ""),
        ("class Process: pass\n", "mypkg.workers"),
        ("def multiprocessing(): pass\n", "mypkg"),  # `mypkg.multiprocessing`
    ],
)
def test_a_module_that_cannot(text: str, module: str) -> None:
    _, resolver = _resolver(text, module)
    assert not resolver.may_qualify_to(PROCESS_CLASSES)


ALIASED = """\
from multiprocessing import Process as Worker

def forward(port):
    serve(port)

def main():
    Worker(target=forward, args=(1,)).start()

if __name__ == "__main__":
    main()
"""


def test_a_target_through_an_alias_still_ends_its_process() -> None:
    tree, resolver = _resolver(ALIASED)
    spawns = resolver.may_qualify_to(PROCESS_CLASSES)
    assert spawns
    bodies = process_bodies(tree, resolver.qualify, ALIASED, None, spawns)
    assert bodies["forward"] == {"exit", "raise"}
    assert bodies["main"] == {"exit", "raise"}


@pytest.mark.parametrize(
    "path",
    [*sorted(STDLIB.glob("*.py"))[::7], *sorted((STDLIB / "multiprocessing").glob("*.py"))],
    ids=lambda p: p.name,
)
def test_the_skip_finds_what_the_full_search_does(path: Path) -> None:
    text = path.read_text(encoding="utf-8", errors="replace")
    tree = ast.parse(text)
    for module in ("", f"multiprocessing.{path.stem}", path.stem):
        resolver = NameResolver(tree, module)
        spawns = resolver.may_qualify_to(PROCESS_CLASSES)
        assert process_bodies(tree, resolver.qualify, text, None, spawns) == process_bodies(
            tree, resolver.qualify, text, None, True
        )


KEYWORDS = """\
Process(target=a)
Process(
    target  # the child's body
    = b,
)
Process(target \\
= c)
self.target = d
if target == e:
    pass
Thread(name="t", target
       =f)
"""


def test_the_lines_where_target_may_be_a_keyword() -> None:
    assert _keyword_lines(KEYWORDS) == [1, 3, 6, 11]
    tree = ast.parse(KEYWORDS)
    found = [n.id for stmt in tree.body for _, n in _targets(stmt, _keyword_lines(KEYWORDS))]
    assert found == ["a", "b", "c", "f"]


@pytest.mark.parametrize(
    "path",
    [
        p
        for p in sorted(STDLIB.glob("test/test_*.py"))
        if "target" in p.read_text(encoding="utf-8", errors="replace")
    ][::4],
    ids=lambda p: p.name,
)
def test_the_keyword_lines_find_every_target_keyword(path: Path) -> None:
    text = path.read_text(encoding="utf-8", errors="replace")
    if not text.isascii():
        pytest.skip("only ASCII text is searched by lines")
    tree = ast.parse(text)
    lines = _keyword_lines(text)
    for stmt in tree.body:
        pruned = _targets(stmt, lines)
        assert [(id(f), id(n)) for f, n in pruned] == [(id(f), id(n)) for f, n in _targets(stmt)]
