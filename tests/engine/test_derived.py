"""The values that depend on a resource staying open (flow/derived.py)."""

from __future__ import annotations

import ast
import textwrap

import pytest
from unleak.flow.derived import Strength, dependence, inline_strength, name_matters
from unleak.names.resolver import NameResolver


def _dep(src: str, root: str = "f", **kw: bool):  # type: ignore[no-untyped-def]
    tree = ast.parse(textwrap.dedent(src))
    fn = tree.body[-1]
    assert isinstance(fn, ast.FunctionDef)
    return dependence(fn.body, {root}, NameResolver(tree, "m", []), **kw)


@pytest.mark.parametrize(
    ("line", "name", "strength"),
    [
        ("r = csv.reader(f)", "r", Strength.STRONG),
        ("r = csv.DictWriter(f, fields)", "r", Strength.STRONG),
        ("r = enumerate(f, 1)", "r", Strength.STRONG),
        ("r = map(str.strip, f)", "r", Strength.STRONG),
        ("r = (line for line in f)", "r", Strength.STRONG),
        ("r = f.write", "r", Strength.STRONG),
        ("r = lambda s: f.write(s)", "r", Strength.STRONG),
        ("r = f.fileno()", "r", Strength.WEAK),
        ("r = f.read()", "r", Strength.NONE),
        ("r = f.readlines()", "r", Strength.NONE),
        ("r = list(f)", "r", Strength.NONE),
        ("r = [line for line in f]", "r", Strength.NONE),
        ("r = json.load(f)", "r", Strength.NONE),
        ("r = f.name", "r", Strength.NONE),
    ],
)
def test_strength_of_a_derived_value(line: str, name: str, strength: Strength) -> None:
    dep = _dep(f"import csv, json\ndef g(f, fields):\n    {line}\n")
    assert dep.names.get(name, Strength.NONE) == strength


def test_derivation_is_transitive_and_reaches_containers() -> None:
    dep = _dep(
        """
        import csv
        def g(f, out):
            r = csv.reader(f)
            rows = enumerate(r)
            box = []
            box.append(rows)
            for item in box:
                keep = item
        """
    )
    assert dep.derived(Strength.STRONG) >= {"r", "rows", "box", "item", "keep"}
    assert "box" in dep.containers


def test_items_of_a_reader_are_plain_data() -> None:
    dep = _dep(
        """
        import csv
        def g(f):
            r = csv.reader(f)
            for row in r:
                last = row
            return last
        """
    )
    assert "row" not in dep.names and not dep.escapes


@pytest.mark.parametrize(
    ("body", "how"),
    [
        ("return csv.reader(f)", "returned"),
        ("r = csv.reader(f)\n    return r", "returned"),
        ("yield from (line for line in f)", "yielded"),
        ("self.rows = csv.reader(f)", "stored"),
        ("r = csv.reader(f)\n    consume(r)", "passed"),
    ],
)
def test_escapes_of_derived_values(body: str, how: str) -> None:
    dep = _dep(f"import csv\ndef g(self, f):\n    {body}\n")
    assert [e.how for e in dep.escapes] == [how]


def test_the_resource_itself_leaving_is_not_a_derived_escape() -> None:
    # Handing on the resource is the ownership analysis's business (no finding at all).
    assert not _dep("def g(f):\n    return f\n").escapes


def test_plain_calls_do_not_escape() -> None:
    dep = _dep("import csv\ndef g(f):\n    r = csv.reader(f)\n    print(next(r), len(list(r)))\n")
    assert not dep.escapes


def test_an_flock_pins_the_file() -> None:
    assert _dep("import fcntl\ndef g(f):\n    fcntl.flock(f, fcntl.LOCK_EX)\n").pinned
    assert not _dep("def g(f):\n    f.write('x')\n").pinned


def test_a_deleting_temporary_files_name_depends_on_it() -> None:
    src = "import tempfile\ndef g(tmp):\n    path = tmp.name\n"
    assert "path" not in _dep(src, "tmp").names
    assert _dep(src, "tmp", named_while_open=True).names["path"] == Strength.STRONG
    tree = ast.parse(
        "import tempfile\n"
        "a = tempfile.NamedTemporaryFile()\n"
        "b = tempfile.NamedTemporaryFile(delete=False)\n"
        "c = open('x')\n"
    )
    resolver = NameResolver(tree, "m", [])
    calls = [s.value for s in tree.body[1:]]  # type: ignore[attr-defined]
    assert [name_matters(c, resolver) for c in calls] == [True, False, False]


def test_a_closure_refers_only_to_its_free_names() -> None:
    dep = _dep(
        "def g(f):\n"
        "    def use(f):\n        return f.read()\n"
        "    def keep():\n        return f\n"
    )
    assert "use" not in dep.names
    assert dep.names["keep"] == Strength.STRONG


@pytest.mark.parametrize(
    ("stmt", "strength"),
    [
        ("rows = csv.reader(open(p))", Strength.STRONG),
        ("data = json.load(open(p))", Strength.NONE),
        ("text = open(p).read()", Strength.NONE),
        ("lines = (l for l in open(p))", Strength.STRONG),
    ],
)
def test_inline_acquisitions(stmt: str, strength: Strength) -> None:
    tree = ast.parse(f"import csv, json\n{stmt}\n")
    assign = tree.body[1]
    assert isinstance(assign, ast.Assign)
    call = next(
        n
        for n in ast.walk(assign.value)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "open"
    )
    assert inline_strength(assign.value, call, NameResolver(tree, "m", [])) == strength
