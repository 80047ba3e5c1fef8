"""Module-wide facts computed with textual shortcuts give what a walk of the whole tree
gives: the names a module owns (asked name by name) and the functions that end a process."""

from __future__ import annotations

import ast
import sysconfig
import textwrap
import warnings
from pathlib import Path

import pytest
from unleak.findings.process_lifetime import process_bodies
from unleak.findings.shipped_source import shipped_sources
from unleak.flow.module_names import module_owned_names, owned_names
from unleak.names.resolver import NameResolver
from unleak.source.chunk_parse import ChunkParser
from unleak.source.facts import StatementFacts
from unleak.source.text import source_lines
from unleak.source.walk import walk

STDLIB = Path(sysconfig.get_paths()["stdlib"])
# Forces the walks: the text is not ASCII, so no shortcut by words applies.
NOT_ASCII = "\u00e9"


def _sample(step: int) -> list[str]:
    """Every ``step``-th module of the standard library that parses."""
    out: list[str] = []
    files = sorted(p for p in STDLIB.rglob("*.py") if "site-packages" not in p.parts)
    for path in files[::step]:
        try:
            text = path.read_text(encoding="utf-8")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ast.parse(text)
        except (SyntaxError, UnicodeDecodeError, ValueError):
            continue
        out.append(text)
    return out


def _names(tree: ast.Module) -> set[str]:
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | {"__missing__", "x"}


def _owned_agrees(text: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tree = ast.parse(text)
    expected = module_owned_names(tree)
    owned = owned_names(tree, text)
    if expected is None:
        assert owned is None
        return
    assert owned is not None
    for name in sorted(_names(tree)):
        assert (name in owned) == (name in expected), name


CASES = {
    "globals read by functions and lambdas": """\
        conn = open("a")
        other = open("b")
        f = lambda: conn; g = lambda: other2


        @decorate(other)
        def use():
            return conn2

        class C:
            x = conn3
            def m(self):
                global written
                written = 1
        """,
    "a name only in strings and comments": """\
        conn = open("a")
        def f():
            return "conn"  # conn
        """,
    "a lone carriage return": "conn = open('a')\rdef f():\r    return conn\r",
    "not ASCII": """\
        conn = open("é")
        def f():
            return conn
        """,
    "reflective": """\
        conn = open("a")
        globals()["conn"]
        """,
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_owned_names_agree_with_the_walk(name: str) -> None:
    _owned_agrees(textwrap.dedent(CASES[name]))


def test_owned_names_agree_on_the_standard_library() -> None:
    for text in _sample(40):
        _owned_agrees(text)


def _process_agrees(text: str) -> dict[str, frozenset[str]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tree = ast.parse(text)
    qualify = NameResolver(tree, "m").qualify
    fast = process_bodies(tree, qualify, text)
    assert fast == process_bodies(tree, qualify, NOT_ASCII)
    facts = StatementFacts()
    facts.keep(tree.body)
    for _ in range(2):  # computed, then remembered
        assert process_bodies(tree, qualify, text, facts) == fast
    return fast


def test_process_bodies_agree_with_the_walk() -> None:
    script = textwrap.dedent(
        """\
        import multiprocessing

        def work():
            pass

        def main():
            multiprocessing.Process(target=work).start()

        if __name__ == "__main__":
            main()
        """
    )
    assert _process_agrees(script) == {
        "work": frozenset({"exit", "raise"}),
        "main": frozenset({"exit", "raise"}),
    }
    # `main` passed elsewhere: an ordinary function.
    assert "main" not in _process_agrees(script + "handlers = [main]\n")
    # Mentioned only in a string: still the process's body.
    assert "main" in _process_agrees(script + "doc = 'calls main'\n")
    # No `target=` in the text (its uses are walked only for the candidates).
    plain = 'def main():\n    pass\n\nif __name__ == "__main__":\n    main()\n'
    assert _process_agrees(plain) == {"main": frozenset({"exit", "raise"})}
    assert "main" not in _process_agrees(plain + "handlers = [main]\n")
    for text in _sample(20):
        _process_agrees(text)


def test_process_bodies_reach_the_entry_points_callees() -> None:
    script = textwrap.dedent(
        """\
        import click

        @click.command()
        def cli():
            pass

        def _setup():
            pass

        def _guarded():
            pass

        def public():
            pass

        def main():
            _setup()
            public()
            try:
                _guarded()
            except OSError:
                pass
            cli.main(args=None)

        if __name__ == "__main__":
            main()
        """
    )
    assert _process_agrees(script) == {
        "main": frozenset({"exit", "raise"}),
        "_setup": frozenset({"raise"}),  # main goes on after it returns
        "cli": frozenset({"exit", "raise"}),
    }
    # Called from elsewhere too: an ordinary function, whichever way it is reached.
    assert "_setup" not in _process_agrees(script + "_setup()\n")
    assert "cli" not in _process_agrees(script + "commands = [cli]\n")
    # Exported: another module's to call.
    assert "cli" not in _process_agrees(script + "__all__ = ['cli']\n")
    # Not through the entry point's exceptions when the caller itself is ordinary.
    assert _process_agrees(script + "handlers = [main]\n") == {}


def test_statement_facts_follow_the_chunks_trees() -> None:
    parser = ChunkParser()
    text = "def f():\n    import os\n\n\nclass C:\n    import sys\n"
    made: list[ast.AST] = []

    def make(node: ast.AST) -> int:
        made.append(node)
        return len(made)

    tree = parser.parse(text, source_lines(text))
    assert tree is not None
    first = [parser.facts.get(s, "n", make) for s in tree.body]
    assert [parser.facts.get(s, "n", make) for s in tree.body] == first == [1, 2]
    # Only the edited class gets a new tree, and its fact is made again; lines added above
    # `C` move it without a new tree.
    edited = "\n\n" + text.replace("sys", "json")
    tree = parser.parse(edited, source_lines(edited))
    assert tree is not None
    assert [parser.facts.get(s, "n", make) for s in tree.body] == [1, 3]
    # A node that is not a top-level statement is never remembered.
    inner = tree.body[0].body[0]  # type: ignore[attr-defined]
    assert parser.facts.get(inner, "n", make) == 4
    assert parser.facts.get(inner, "n", make) == 5


READERS = ("inspect.getsource", "inspect.getsourcelines")


def _shipped_by_walk(tree: ast.Module, qualify: object) -> frozenset[str]:
    """What `shipped_sources` gives, from one walk of the whole tree."""
    assert callable(qualify)
    read, called = set(), set()
    for node in walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name is not None:
                called.add(name)
            arg = node.args[0] if node.args else None
            target = arg.id if isinstance(arg, ast.Name) else getattr(arg, "attr", None)
            if target is not None and qualify(func) in READERS:
                read.add(target)
    return frozenset(read - called)


def _shipped_agrees(text: str, module_name: str = "") -> frozenset[str]:
    """`shipped_sources` with and without the chunk parser's facts, and after an edit of
    one class member (its facts made again, the others' kept), against the walk."""
    parser = ChunkParser()
    for version in (text, text.replace("pass_", "_pass")):
        tree = parser.parse(version, source_lines(version))
        assert tree is not None
        qualify = NameResolver(tree, module_name).qualify
        expected = _shipped_by_walk(tree, qualify)
        assert shipped_sources(tree, version, qualify) == expected
        assert shipped_sources(tree, version, qualify, parser.facts) == expected
    return expected


def test_shipped_sources_fold_over_the_statements() -> None:
    script = textwrap.dedent(
        """\
        from inspect import getsource as gs
        import inspect

        @decorate(inspect.getsource(header))
        class C(Base, metaclass=make(inspect.getsourcelines(kw))):
            def stage(self):
                pass

            def boot(self):
                return gs(self.stage), inspect.getsourcelines(C.other)

            def pass_(self):
                pass_()
        """
    )
    assert _shipped_agrees(script) == {"stage", "other", "header", "kw"}
    # Called in the edited member (`_pass()` becomes `pass_()` there): no longer shipped.
    assert _shipped_agrees(script.replace("pass_()", "_pass()")) == {
        "stage",
        "other",
        "header",
        "kw",
    }
    assert _shipped_agrees(script + "C().stage()\n") == {"other", "header", "kw"}
    assert _shipped_agrees(script.replace("boot", "pass_")) == {"stage", "other", "header", "kw"}
    # A module named `inspect` reads its own `getsource`.
    own = "def getsource(f):\n    pass\n\ndef f():\n    pass\n\ngetsource(f)\n"
    assert _shipped_agrees(own, "inspect") == {"f"}
    assert _shipped_agrees(own, "other") == frozenset()
    for text in _sample(7):
        if "getsource" in text:
            _shipped_agrees(text)
