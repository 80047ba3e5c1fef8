"""Parsing chunk by chunk (`ChunkParser`) gives the tree `ast.parse` gives for the whole
text, positions included, and after an edit parses only the chunks the edit changed."""

from __future__ import annotations

import ast
import sysconfig
from pathlib import Path

import pytest
from unleak.catalogue import Catalogue
from unleak.findings.module import _nested_import_lines, _nested_import_lines_of
from unleak.names.triggers import TriggerIndex, base_words
from unleak.source.chunk_parse import ChunkParser
from unleak.source.facts import StatementFacts
from unleak.source.text import source_lines

STDLIB = Path(sysconfig.get_paths()["stdlib"])
MODULES = sorted(p for p in STDLIB.glob("*.py"))[::7]


def dump(tree: ast.AST) -> str:
    return ast.dump(tree, include_attributes=True)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_the_same_tree_as_the_whole_text(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    parser = ChunkParser()
    tree = parser.parse(text, source_lines(text))
    assert tree is not None and dump(tree) == dump(ast.parse(text))
    # Two lines added at the top: every chunk is reused, moved down.
    moved = "import os\n\n" + text
    tree = parser.parse(moved, source_lines(moved))
    assert tree is not None and dump(tree) == dump(ast.parse(moved))
    assert parser.parsed_lines == 1


def test_an_edit_reparses_only_its_chunk() -> None:
    text = "import os\n\n\ndef f(p):\n    return open(p)\n\n\nclass A:\n    x = 1\n"
    parser = ChunkParser()
    assert parser.parse(text, source_lines(text)) is not None
    assert parser.parsed_lines == 5  # blank lines belong to no chunk
    edited = text.replace("open(p)", "open(p, 'rb')")
    tree = parser.parse(edited, source_lines(edited))
    assert tree is not None and dump(tree) == dump(ast.parse(edited))
    assert parser.parsed_lines == 2
    # A chunk that does not parse alone: the caller parses the whole text.
    broken = edited.replace("return open", "return (open")
    assert parser.parse(broken, source_lines(broken)) is None


def test_chunks_of_the_same_text_are_each_reused() -> None:
    twice = "def f(p):\n    return open(p)\n\n\n"
    text = twice * 3 + "x = 1\n"
    parser = ChunkParser()
    first = parser.parse(text, source_lines(text))
    assert first is not None and dump(first) == dump(ast.parse(text))
    moved = "# top\n" + text
    tree = parser.parse(moved, source_lines(moved))
    assert tree is not None and dump(tree) == dump(ast.parse(moved))
    assert parser.parsed_lines == 0  # each of the three functions kept its own tree
    assert len({id(stmt) for stmt in tree.body}) == 4


def test_line_scans_are_redone_only_for_the_chunks_an_edit_changed() -> None:
    text = "import os\n\n\ndef f(p):\n    return open(p)\n\n# open\n\ndef g():\n    open(1)\n"
    parser = ChunkParser()
    scanned: list[str] = []

    def scan(piece: str) -> list[int]:
        scanned.append(piece)
        return [i for i, line in enumerate(piece.splitlines()) if "open" in line]

    assert parser.parse(text, source_lines(text)) is not None
    assert parser.segments is not None
    assert parser.segments.lines_where("open", scan) == [5, 7, 10]
    edited = text.replace("return open(p)", "return p")
    assert parser.parse(edited, source_lines(edited)) is not None
    assert parser.segments is not None
    scanned.clear()
    assert parser.segments.lines_where("open", scan) == [7, 10]
    # The edited function, and the blank and comment lines between chunks (never kept).
    assert [piece for piece in scanned if "def" in piece] == ["def f(p):\n    return p\n"]


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_line_scans_fold_over_the_pieces(path: Path) -> None:
    # The resolver's pre-filter, folded over the chunks' scans, finds the lines the scan of
    # the whole text finds (the scan is line by line).
    text = path.read_text(encoding="utf-8")
    parser = ChunkParser()
    assert parser.parse(text, source_lines(text)) is not None
    if parser.segments is None:
        return  # a lone carriage return: the whole text is scanned
    folded = parser.segments.lines_where("nested imports", _nested_import_lines_of)
    assert folded == _nested_import_lines(text)
    assert parser.segments.lines_where("self", _selfs) == [i + 1 for i in _selfs(text)]
    # After edits inside classes (whose pieces are their members), from the kept scans.
    for edited in _class_edits(text):
        assert parser.parse(edited, source_lines(edited)) is not None
        assert parser.segments is not None
        folded = parser.segments.lines_where("nested imports", _nested_import_lines_of)
        assert folded == _nested_import_lines(edited)
        assert parser.segments.lines_where("self", _selfs) == [i + 1 for i in _selfs(edited)]


@pytest.mark.parametrize("path", MODULES[::3], ids=lambda p: p.name)
def test_trigger_lines_from_kept_word_scans_are_those_of_the_whole_text(path: Path) -> None:
    # Word sets that change from one version to the next (a word added, one taken away, the
    # set of the version before): each piece is scanned for the words new to it alone.
    text = path.read_text(encoding="utf-8")
    base = sorted(base_words(Catalogue()))
    sets = [base, [*base, "self", "read"], base[5:], ["self"], base, ["write", *base[:9]]]
    parser = ChunkParser()
    for i, words in enumerate(sets):
        version = text if i % 2 else "import os\n" + text  # every chunk moves
        assert parser.parse(version, source_lines(version)) is not None
        if parser.segments is None:
            return  # a lone carriage return: the whole text is scanned
        kept = TriggerIndex(version, words, segments=parser.segments)
        kept.add(["close", "self"])
        whole = TriggerIndex(version, words)
        whole.add(["close", "self"])
        assert kept.lines == whole.lines, words


def _selfs(text: str) -> list[int]:
    """The 0-based lines of ``text`` that mention `self` (a line scan, as trigger words)."""
    return [i for i, line in enumerate(text.split("\n")) if "self" in line]


def _class_edits(text: str) -> list[str]:
    """Edits inside the top-level classes of a module: a comment line added inside a member
    (the members below it move), and a member's line changed."""
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    classes = [n for n in ast.parse(text).body if isinstance(n, ast.ClassDef) and n.body]
    for cls in classes[:4]:
        member = cls.body[len(cls.body) // 2]
        at = member.lineno  # the line after the member's first line (0-based index)
        indent = " " * member.col_offset
        out.append("".join([*lines[:at], f"{indent}# edited\n", *lines[at:]]))
        if isinstance(member, (ast.FunctionDef, ast.AsyncFunctionDef)) and member.body:
            last = member.body[-1]
            i = (last.end_lineno or last.lineno) - 1
            changed = lines[i].rstrip("\r\n") + "  # typed\n"
            out.append("".join([*lines[:i], changed, *lines[i + 1 :]]))
    return out


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_an_edited_class_is_parsed_member_by_member(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    parser = ChunkParser()
    parser.parse(text, source_lines(text))
    for edited in _class_edits(text):
        tree = parser.parse(edited, source_lines(edited))
        assert tree is not None and dump(tree) == dump(ast.parse(edited))
        tree = parser.parse(text, source_lines(text))
        assert tree is not None and dump(tree) == dump(ast.parse(text))


def test_an_edit_in_a_method_parses_that_method_alone() -> None:
    methods = "".join(f"    def m{i}(self):\n        return {i}\n\n" for i in range(50))
    text = f"import os\n\n\nclass A(object):\n    '''Doc.'''\n\n{methods}\nx = A()\n"
    parser = ChunkParser()
    parser.parse(text, source_lines(text))
    edited = text.replace("return 7\n", "y = 7\n        return y\n")
    tree = parser.parse(edited, source_lines(edited))
    assert tree is not None and dump(tree) == dump(ast.parse(edited))
    assert parser.parsed_lines == 1 + 3  # the class's header, and the method
    # A class-level statement added between two methods.
    added = edited.replace("    def m9(", "    limit = 3\n\n    def m9(")
    tree = parser.parse(added, source_lines(added))
    assert tree is not None and dump(tree) == dump(ast.parse(added))
    assert parser.parsed_lines == 1 + 1
    # A member that does not parse: so does not the module.
    broken = added.replace("limit = 3", "limit = (3")
    assert parser.parse(broken, source_lines(broken)) is None


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_seeded_with_a_tree_parses_only_what_changed(path: Path) -> None:
    """`seed` starts from a tree parsed already (the fix check's module): a fixed text
    reuses its statements as if `parse` had parsed it."""
    text = path.read_text(encoding="utf-8")
    tree = ast.parse(text)
    parser = ChunkParser()
    assert parser.seed(text, source_lines(text), tree)
    fixed = "import contextlib\n" + text  # what a fix adds at the top
    again = parser.parse(fixed, source_lines(fixed))
    assert again is not None and dump(again) == dump(ast.parse(fixed))
    assert parser.parsed_lines == 1
    seeded = {id(stmt) for stmt in tree.body}
    assert sum(id(stmt) in seeded for stmt in again.body) == len(tree.body)


def test_a_seed_whose_statements_do_not_fall_into_chunks_is_refused() -> None:
    text = "x = 1\ny = 2\n"
    other = ast.parse("x = 1\n")  # not the text's tree
    parser = ChunkParser()
    assert not parser.seed(text, source_lines(text), other, StatementFacts())
