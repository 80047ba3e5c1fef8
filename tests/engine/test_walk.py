"""`unleak.source.walk` gives exactly what `ast.walk` and `ast.iter_child_nodes` give, in
the same order (the engine's results depend on the order of what it finds)."""

from __future__ import annotations

import ast
import sysconfig
from pathlib import Path

import pytest
from unleak.findings.process_lifetime import _keyword_lines, _targets
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
    pruned = _targets(stmt, _keyword_lines(TARGETS))
    full = _targets(stmt)
    assert [name.id for _, name in pruned] == ["first", "worker", "second"]
    assert [(id(f), id(n)) for f, n in pruned] == [(id(f), id(n)) for f, n in full]


def _call_texts_by_full_walk(tree: ast.Module) -> dict[int, str]:
    """What `call_text_at` answers for each line, by walking every statement whole: the
    first call (or item read) a breadth-first walk meets starting on the line, the shallowest
    of all the statements holding the line (the earlier one at equal depth)."""
    from unleak.findings import messages
    from unleak.findings.module import _may_raise

    best: dict[int, tuple[int, ast.AST]] = {}
    for stmt in tree.body:
        found: dict[int, tuple[int, ast.AST]] = {}
        level: list[ast.AST] = [stmt]
        depth = 0
        while level:
            below: list[ast.AST] = []
            for node in level:
                if _may_raise(node) and node.lineno not in found:  # type: ignore[attr-defined]
                    found[node.lineno] = (depth, node)
                below.extend(ast.iter_child_nodes(node))
            level = below
            depth += 1
        for line, (d, call) in found.items():
            if line not in best or d < best[line][0]:
                best[line] = (d, call)
    return {line: messages.raiser_text(node) for line, (_, node) in best.items()}  # type: ignore[arg-type]


CALLS = '''\
@register(name=label("x"))
class Tools:
    @staticmethod
    @cached(size(
        4))
    def run(self, path):
        text = f"""{read(path)!r} and {
            other()}""" if check(path) else None
        data = [load(p) for p in (find(a), table[b])]
        first = data[0][1:], table[key]
        return wrap(lambda: inner(data), outer(text,
            more()))
'''


@pytest.mark.parametrize("path", [*MODULES[:6], None], ids=lambda p: p.name if p else "tricky")
def test_call_text_at_walks_only_the_line_and_finds_the_same_call(path: Path | None) -> None:
    from unleak.findings.module import ModuleAnalysis
    from unleak.settings import Settings

    text = CALLS if path is None else path.read_text(encoding="utf-8")
    analysis = ModuleAnalysis(text, "m.py", Settings())
    try:
        expected = _call_texts_by_full_walk(analysis.parsed.tree)
        lines = len(analysis.source.lines)
        got = {n: t for n in range(1, lines + 1) if (t := analysis.call_text_at(n)) is not None}
        assert got == expected
    finally:
        analysis.dispose()


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_lines_moved_as_ast_moves_them(path: Path) -> None:
    from unleak.source.walk import increment_lineno

    text = path.read_bytes()
    mine, theirs = ast.parse(text), ast.parse(text)
    for stmt in mine.body:
        increment_lineno(stmt, 7)
    for stmt in theirs.body:
        ast.increment_lineno(stmt, 7)
    assert ast.dump(mine, include_attributes=True) == ast.dump(theirs, include_attributes=True)
