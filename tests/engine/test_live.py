"""An editor's document analysed version after version (`LiveModule`) gives exactly the
findings of a fresh analysis of each version, while edits inside a function body re-analyse
that function alone."""

from __future__ import annotations

import ast
import random
import re
import sysconfig
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest
from name_positions import name_positions, parses, renamable, statement_lines
from unleak.findings.model import Finding
from unleak.pipeline.api import analyse_source
from unleak.pipeline.live import LiveModule, _once
from unleak.settings import Settings

STDLIB = Path(sysconfig.get_paths()["stdlib"])
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "rules"
SETTINGS = Settings()


def fresh(text: str) -> list[Finding]:
    return analyse_source(text, "m.py", SETTINGS, "m").findings


def live_findings(live: LiveModule, text: str) -> list[Finding]:
    return live.analyse(text, SETTINGS).findings


SOURCE = textwrap.dedent(
    """\
    import socket
    import sqlite3


    def first(p):
        f = open(p)
        return f.read()


    class Client:
        def __init__(self, host):
            self.host = host

        def fetch(self):
            sock = socket.create_connection((self.host, 80))
            sock.sendall(b"GET /")
            data = sock.recv(100)
            sock.close()
            return data


    def second(db):
        conn = sqlite3.connect(db)
        return conn.execute("select 1").fetchone()
    """
)


def test_an_edit_inside_a_function_reanalyses_it_alone() -> None:
    live = LiveModule("m.py", "m")
    assert live_findings(live, SOURCE) == fresh(SOURCE)
    assert (live.full_runs, live.partial_runs) == (1, 0)
    # Two lines added inside `first`: its finding changes, the others move down.
    edited = SOURCE.replace("    return f.read()", "    data = f.read()\n\n    return data")
    assert live_findings(live, edited) == fresh(edited)
    assert (live.full_runs, live.partial_runs) == (1, 1)
    # A method: the exception path of `fetch` is closed.
    fixed = edited.replace(
        '        sock.sendall(b"GET /")\n        data = sock.recv(100)\n        sock.close()\n',
        "        with sock:\n"
        '            sock.sendall(b"GET /")\n            data = sock.recv(100)\n',
    )
    assert fixed != edited
    assert live_findings(live, fixed) == fresh(fixed)
    assert [f.code for f in fresh(edited)] == ["UL101", "UL102", "UL101"]
    assert [f.code for f in fresh(fixed)] == ["UL101", "UL101"]
    assert (live.full_runs, live.partial_runs) == (1, 2)


def test_edits_that_change_the_module_context_fall_back_to_a_full_analysis() -> None:
    live = LiveModule("m.py", "m")
    live_findings(live, SOURCE)
    # `first` now returns the file: a factory, so callers' findings may change.
    factory = SOURCE.replace("    return f.read()", "    return f")
    assert live_findings(live, factory) == fresh(factory)
    # An import inside a function.
    imported = factory.replace("    f = open(p)", "    import io\n    f = open(p)")
    assert live_findings(live, imported) == fresh(imported)
    # Between definitions.
    between = imported.replace("\n\nclass Client", "\nX = 1\n\nclass Client")
    assert live_findings(live, between) == fresh(between)
    assert (live.full_runs, live.partial_runs) == (4, 0)


def test_blank_and_comment_lines_only_move_findings() -> None:
    live = LiveModule("m.py", "m")
    live_findings(live, SOURCE)
    spaced = SOURCE.replace("\n\nclass Client", "\n\n# A client.\n\n\nclass Client")
    assert live_findings(live, spaced) == fresh(spaced)
    commented = spaced.replace("# A client.", "# A client of the service.")
    assert live_findings(live, commented) == fresh(commented)
    edited = commented.replace("    return f.read()", "    return f.read(3)")
    assert live_findings(live, edited) == fresh(edited)
    assert (live.full_runs, live.partial_runs) == (1, 3)


def test_typing_a_new_function_between_two_others() -> None:
    live = LiveModule("m.py", "m")
    live_findings(live, SOURCE)
    anchor = "\n\ndef second(db):"
    for typed in ["d", "def new", "def new(", "def new(p", "def new(p):", "def new(p):\n    "]:
        text = SOURCE.replace(anchor, f"\n\n{typed}\n{anchor}")
        _check(live, text, typed)
        assert [f.code for f in live_findings(live, text)].count("UL001") == (
            0 if typed == "d" else 1
        )
    assert (live.full_runs, live.partial_runs) == (2, 5)  # "d" parses: analysed in full
    done = SOURCE.replace(anchor, f"\n\ndef new(p):\n    return open(p).read()\n{anchor}")
    assert live_findings(live, done) == fresh(done)
    assert [f.code for f in fresh(done)] == ["UL101", "UL102", "UL101", "UL101"]


def test_a_syntax_error_in_one_function_leaves_the_others_in_place() -> None:
    live = LiveModule("m.py", "m")
    before = live_findings(live, SOURCE)
    broken = SOURCE.replace("    return f.read()", "    return f.read(\n\n")
    found = live_findings(live, broken)
    assert live.partial_runs == 1
    assert [(f.code, f.span.line) for f in found] == [
        ("UL101", 6),  # `first` keeps its finding while it is being typed
        ("UL001", 7),
        ("UL102", 17),  # in `Client.fetch`, moved down two lines
        ("UL101", 25),  # in `second`
    ]
    assert found[0] == before[0]
    assert found[1].message == "SyntaxError: '(' was never closed"
    assert [f.code for f in before] == ["UL101", "UL102", "UL101"]
    assert "on line 18" in found[2].message  # positions in messages moved too
    # Typing goes on inside the broken function, then repairs it.
    still = broken.replace("f.read(\n", "f.read(1,\n")
    assert [f.code for f in live_findings(live, still)] == ["UL101", "UL001", "UL102", "UL101"]
    assert live_findings(live, SOURCE) == fresh(SOURCE) == before
    assert (live.full_runs, live.partial_runs) == (1, 3)


SCRIPT = textwrap.dedent(
    """\
    import sys

    log = open(sys.argv[1], "w")
    log.write("x")
    print("done")


    def helper(p):
        f = open(p)
        return f.read()
    """
)


def test_a_script_keeps_its_findings_while_a_module_level_line_is_unfinished() -> None:
    live = LiveModule("m.py", "m")
    before = live_findings(live, SCRIPT)
    assert [(f.code, f.span.line) for f in before] == [("UL101", 3), ("UL101", 9)]
    lines = SCRIPT.splitlines(keepends=True)
    for typed in ["x = ", "x = log.", "if x", "x = log.name"]:
        text = "".join([*lines[:2], f"{typed}\n", *lines[2:]])
        found = live_findings(live, text)
        if typed == "x = log.name":  # parses: analysed in full, as fresh
            assert found == fresh(text)
            continue
        # The script's leak stays (moved down the line typed above it), with the function's,
        # and the unfinished line is a syntax error.
        assert [(f.code, f.span.line) for f in found] == [
            ("UL001", 3),
            ("UL101", 4),
            ("UL101", 10),
        ], typed
        assert found[1].span.column == before[0].span.column
    assert live.partial_runs == 3


def test_definitions_keep_their_findings_when_an_edit_of_their_header_breaks_them() -> None:
    # Edits of headers and class-level lines (most need a full analysis): the definitions that
    # no longer parse keep their last findings, moved with the edit.
    found = {}
    for old, new in [
        ("def second(db):", "def second(db"),
        ("class Client:", "class Client("),
        ("        return data\n", "        return data\n    x = \n"),
    ]:
        live = LiveModule("m.py", "m")
        before = live_findings(live, SOURCE)
        assert [(f.code, f.span.line) for f in before] == [
            ("UL101", 6),
            ("UL102", 15),
            ("UL101", 23),
        ]
        text = SOURCE.replace(old, new, 1)
        assert text != SOURCE
        found[new] = [(f.code, f.span.line) for f in live_findings(live, text)]
        # Typing goes on (analysed in full again): still kept.
        more = text.replace(new, new + " ", 1)
        assert [(f.code, f.span.line) for f in live_findings(live, more)] == found[new]
        # Finished: a fresh analysis's findings.
        assert live_findings(live, SOURCE) == fresh(SOURCE) == before
    assert found == {
        "def second(db": [("UL101", 6), ("UL102", 15), ("UL001", 22), ("UL101", 23)],
        "class Client(": [("UL101", 6), ("UL001", 10), ("UL102", 15), ("UL101", 23)],
        "        return data\n    x = \n": [
            ("UL101", 6),
            ("UL102", 15),
            ("UL001", 20),
            ("UL101", 24),
        ],
    }


def _edit(lines: list[str], rng: random.Random) -> int | None:
    """One random edit, most of them inside function bodies, as a person types."""
    i = rng.randrange(len(lines))
    line = lines[i]
    indent = line[: len(line) - len(line.lstrip())]
    kind = rng.choice(
        [
            *("space", "space", "blank", "comment", "pass", "open", "close", "dup", "delete"),
            *("break", "def"),
        ]
    )
    if kind == "space":
        lines[i] = line.rstrip("\n") + " \n" if line.endswith("\n") else line + " "
    elif kind == "blank":
        lines.insert(i, "\n")
    elif kind == "comment":
        lines.insert(i, f"{indent}# edited\n")
    elif kind == "pass" and line.strip() and not line.rstrip().endswith((":", ",", "(", "\\")):
        lines[i] = f"{indent}pass\n"
    elif kind == "open" and indent:
        lines.insert(i, f"{indent}fh = open('x')\n")
    elif kind == "close" and indent:
        lines.insert(i, f"{indent}fh.close()\n")
    elif kind == "dup":
        lines.insert(i, line)
    elif kind == "delete" and len(lines) > 10:
        del lines[i]
    elif kind == "def":
        lines.insert(i, "def typed(\n")
        return i
    elif kind == "break":
        # Typed and completed: the broken version is analysed too.
        lines.insert(i, f"{indent}x = (\n")
        return i
    return None


def _check(live: LiveModule, text: str, step: str) -> None:
    """Live findings are those of a fresh analysis; while a function being typed does not
    parse, its syntax error is the one CPython reports for the whole text (and every other
    function keeps its findings)."""
    partial = live.partial_runs
    found = live_findings(live, text)
    if live.partial_runs > partial:
        try:
            ast.parse(text)
        except SyntaxError as exc:
            errors = [(f.span.line, f.message) for f in found if f.code == "UL001"]
            assert [message for _, message in errors] == [f"SyntaxError: {exc.msg}"], step
            # At the same line; an error at the end of lines parsed alone (an indented block
            # expected) is on their last line, CPython's on the next statement's.
            assert exc.lineno is not None and errors[0][0] <= exc.lineno, step
            return
    if not parses(text):
        # Analysed in full: a fresh analysis's findings, and the last findings of the code
        # that stopped parsing (kept while it is being typed).
        expected = fresh(text)
        assert [f for f in found if f in expected] == expected, step
        assert all(f.code != "UL001" for f in found if f not in expected), step
        return
    assert found == fresh(text), step


@pytest.mark.parametrize(
    "name", ["ftplib.py", "subprocess.py", "socketserver.py", "shlex.py", "tempfile.py"]
)
def test_random_edits_to_stdlib_modules_match_fresh_analysis(name: str) -> None:
    lines = (STDLIB / name).read_text(encoding="utf-8").splitlines(keepends=True)
    rng = random.Random(f"live-{name}")
    live = LiveModule("m.py", "m")
    live_findings(live, "".join(lines))
    for step in range(30):
        before = list(lines)
        broken = _edit(lines, rng)
        text = "".join(lines)
        _check(live, text, f"step {step}")
        if broken is not None:
            lines[broken] = lines[broken].replace("(", "()")
        if not parses("".join(lines)):
            lines[:] = before  # the typist notices and undoes it
        elif broken is None:
            continue
        text = "".join(lines)
        _check(live, text, f"step {step}, repaired")
    # Most edits land in function bodies and were re-analysed alone.
    assert live.partial_runs >= 5, (live.full_runs, live.partial_runs)


def test_signature_and_statement_edits_reanalyse_no_more_than_they_touch() -> None:
    source = SOURCE.replace("import sqlite3\n", "import sqlite3\n\nLIMIT = 10\n")
    live = LiveModule("m.py", "m")
    live_findings(live, source)
    steps = [
        # A parameter added to a signature: `second` alone is analysed again.
        source.replace("def second(db):", "def second(db, timeout=5):"),
        # A module-level constant renamed, then its value changed.
        source.replace("LIMIT = 10", "LIMITS = 10"),
        source.replace("LIMIT = 10", "LIMIT = (10 *\n   2)"),
        # A method's parameter given a default.
        source.replace("def __init__(self, host):", 'def __init__(self, host="localhost"):'),
    ]
    for text in steps:
        # Each edit, then undone.
        assert live_findings(live, text) == fresh(text), live.fallback
        assert live_findings(live, source) == fresh(source), live.fallback
    assert (live.full_runs, live.partial_runs) == (1, 8), live.fallback
    # A decorator added: analysed in full.
    decorated = source.replace("    def fetch(self):", "    @staticmethod\n    def fetch(self):")
    assert live_findings(live, decorated) == fresh(decorated)
    assert live.full_runs == 2


@pytest.mark.parametrize("name", ["subprocess.py", "tempfile.py", "socketserver.py"])
def test_typing_at_random_names_anywhere_matches_fresh_analysis(name: str) -> None:
    text = (STDLIB / name).read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    rng = random.Random(f"names-{name}")
    live = LiveModule("m.py", "m")
    live_findings(live, text)
    for line, column in name_positions(text, 25, rng):
        original = lines[line - 1]
        for typed in (original[:column] + "x" + original[column:], original):
            lines[line - 1] = typed
            edited = "".join(lines)
            assert live_findings(live, edited) == fresh(edited), (line, typed)
    assert live.partial_runs >= 20, (live.full_runs, live.partial_runs)


@pytest.mark.parametrize("name", ["ftplib.py", "tempfile.py"])
def test_deleting_and_restoring_whole_definitions(name: str) -> None:
    text = (STDLIB / name).read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    tree = ast.parse(text)
    rng = random.Random(f"delete-{name}")
    members = [
        node
        for top in tree.body
        for node in ([top, *top.body] if isinstance(top, ast.ClassDef) else [top])
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Assign))
    ]
    live = LiveModule("m.py", "m")
    live_findings(live, text)
    for node in rng.sample(members, 8):
        first = (
            node.decorator_list[0].lineno if getattr(node, "decorator_list", None) else node.lineno
        )
        last = node.end_lineno or node.lineno
        without = "".join(lines[: first - 1] + lines[last:])
        if parses(without):
            assert live_findings(live, without) == fresh(without), (node.lineno, "deleted")
        assert live_findings(live, text) == fresh(text), (node.lineno, "restored")


@pytest.mark.parametrize("name", ["tempfile.py", "socketserver.py", "subprocess.py"])
def test_renaming_imports_and_definitions_matches_fresh_analysis(name: str) -> None:
    """Imports and definitions renamed one after the other, and left renamed: the context of
    every function (the names it resolves) keeps changing."""
    text = (STDLIB / name).read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    rng = random.Random(f"rename-{name}")
    live = LiveModule("m.py", "m")
    live_findings(live, text)
    for step, (line, column) in enumerate(renamable(text, 16, rng)):
        original = lines[line - 1]
        lines[line - 1] = original[:column] + "x" + original[column:]
        edited = "".join(lines)
        assert live_findings(live, edited) == fresh(edited), (line, lines[line - 1])
        if step % 2:  # every other rename is undone
            lines[line - 1] = original
            edited = "".join(lines)
            assert live_findings(live, edited) == fresh(edited), (line, original)


def test_the_cache_keeps_room_for_every_definition_of_the_document() -> None:
    text = "import subprocess\n\n\n" + "".join(
        f"def run_{i}(cmd):\n    proc = subprocess.Popen(cmd)\n    return proc.pid\n\n\n"
        for i in range(12)
    )
    live = LiveModule("m.py", "m", max_units=4)
    assert live_findings(live, text) == fresh(text)
    misses = live.units.misses
    per_function = misses // 12  # the leak analysis, the use-after-release check
    assert misses == 12 * per_function
    # A decorator added to the first function: analysed in full, and only it again.
    edited = text.replace("def run_0(", "@staticmethod\ndef run_0(", 1)
    assert live_findings(live, edited) == fresh(edited)
    assert live.full_runs == 2
    assert live.units.misses == misses + per_function, live.units.misses


def test_a_hover_is_explained_from_the_last_full_analysis_of_the_same_text() -> None:
    from unleak.findings.explain import ModuleExplainer, explain_at

    live = LiveModule("m.py", "m")
    live_findings(live, SOURCE)
    module = live.prepared(SOURCE)
    assert module is not None
    line = SOURCE.splitlines().index('        sock.sendall(b"GET /")') + 1
    explained = ModuleExplainer.of(module).explain(line)
    assert explained == explain_at(SOURCE, "m.py", SETTINGS, "m", line)
    assert explained.notes
    # Analysed partially since: that analysis is of another text.
    edited = SOURCE.replace("    return f.read()", "    return f.read(3)")
    live_findings(live, edited)
    assert live.partial_runs == 1
    assert live.prepared(edited) is None and live.prepared(SOURCE) is None


def test_a_summary_change_no_other_code_can_see_reanalyses_the_function_alone() -> None:
    source = textwrap.dedent(
        """\
        import socket


        def read_config(path, sock):
            f = open(path)
            sock.close()
            return f.read()


        def fetch(host):
            sock = socket.create_connection((host, 80))
            return sock.recv(1)
        """
    )
    live = LiveModule("m.py", "m")
    assert live_findings(live, source) == fresh(source)
    # `sock` no longer closed by `read_config`: its summary changes, but nothing calls it.
    edited = source.replace("    sock.close()\n", "    sock.recv(1)\n")
    assert live_findings(live, edited) == fresh(edited)
    assert (live.full_runs, live.partial_runs) == (1, 1), live.fallback
    # A call of it typed elsewhere: the summary the last full analysis made is out of date.
    called = edited.replace("    return sock.recv(1)\n", "    return read_config(host, sock)\n")
    assert live_findings(live, called) == fresh(called)
    assert live.fallback == "names a function whose summary changed"
    # Named elsewhere (here, in a string of `__all__`, which calls nothing): its callers, none
    # here, are analysed again with it.
    named = source + '\n__all__ = ["read_config"]\n'
    live = LiveModule("m.py", "m")
    live_findings(live, named)
    edited = named.replace("    sock.close()\n", "    sock.recv(1)\n")
    assert live_findings(live, edited) == fresh(edited)
    assert live.fallback == ""
    # Named by module-level code: edits that change its summary go in full.
    named = source + "\nread_config('x', None)\n"
    live = LiveModule("m.py", "m")
    live_findings(live, named)
    edited = named.replace("    sock.close()\n", "    sock.recv(1)\n")
    assert live_findings(live, edited) == fresh(edited)
    assert live.fallback.startswith("contribution changed: summary changed: `read_config` named")


_BODIES = [
    "    a.close()\n",
    "    b.close()\n",
    "    keep.append(a)\n",
    "    data = a.read()\n",
    "    return a\n",
    "    pass\n",
    "    f = open(b)\n",
    "    helper_{j}(s, b)\n",
    "    helper_{j}(b, s)\n",
    "    x = helper_{j}(a, s)\n    x.close()\n",
    "    s.close()\n",
]


def test_summary_changes_of_functions_called_or_not_match_fresh_analysis() -> None:
    """Functions whose summaries keep changing (what they do to their parameters), some
    called by others and some not, calls typed and removed: every version as fresh."""
    rng = random.Random("unseen")
    bodies = [["    pass\n"] for _ in range(8)]

    def module() -> str:
        out = ["import socket\n\nkeep = []\n\n"]
        for i, body in enumerate(bodies):
            out.append(f"\ndef helper_{i}(a, b):\n    s = socket.socket()\n{''.join(body)}\n")
        return "".join(out)

    live = LiveModule("m.py", "m")
    text = module()
    assert live_findings(live, text) == fresh(text)
    for step in range(120):
        i = rng.randrange(len(bodies))
        line = rng.choice(_BODIES).format(j=rng.randrange(len(bodies)))
        if rng.random() < 0.5 or len(bodies[i]) == 1:
            bodies[i].insert(rng.randrange(len(bodies[i]) + 1), line)
        else:
            del bodies[i][rng.randrange(len(bodies[i]))]
        text = module()
        if not parses(text):
            continue
        assert live_findings(live, text) == fresh(text), (step, live.fallback)
    assert live.partial_runs >= 10, (live.full_runs, live.partial_runs)


CLASSES = textwrap.dedent(
    """\
    import functools
    import socket

    LIMIT = 10


    class Config:
        text = open("config.ini").read()
        sock = socket.socket()
        sock.connect(("localhost", 80))
        retries = 3

        def read(self, path):
            f = open(path)
            return f.read()

        @functools.lru_cache
        def size(self, path):
            return len(self.read(path))

        class Section:
            def __init__(self, parent):
                self.parent = parent
                self.log = open("section.log")

            def render(self, path):
                data = open(path).read()
                return data + self.parent.text


    class Plain:
        name = "plain"
        size = LIMIT

        def show(self):
            return self.name


    class Other(Config):
        extra = open("extra.ini").readline()

        def more(self, p):
            g = open(p)
            return g.read(LIMIT)


    def helper(p):
        h = open(p)
        return h.readline()
    """
)


def test_a_class_body_is_not_analysed_again_when_its_text_is_unchanged(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from unleak.findings.module import ModuleAnalysis

    analysed: list[str] = []
    flow = ModuleAnalysis._flow_results

    def spy(self: ModuleAnalysis, unit: object) -> object:
        node = getattr(unit, "node", None)
        analysed.append(type(node).__name__ + ":" + getattr(node, "name", ""))
        return flow(self, unit)  # type: ignore[arg-type]

    monkeypatch.setattr(ModuleAnalysis, "_flow_results", spy)
    live = LiveModule("m.py", "m")
    live_findings(live, CLASSES)
    assert "ClassDef:Config" in analysed and "ClassDef:Other" in analysed
    for old, new in [("def helper(p)", "def helperx(p)"), ("import socket", "import socketx")]:
        analysed.clear()
        edited = CLASSES.replace(old, new)
        got = live_findings(live, edited)
        assert live.fallback, new  # a rename, an import: analysed in full
        # No class names `helper`; Config names `socket` (Other's own text does not).
        body = [a for a in analysed if a.startswith("ClassDef")]
        assert body == (["ClassDef:Config"] if "socket" in old else []), (new, analysed)
        assert got == fresh(edited), new
        # Back, from the cache.
        analysed.clear()
        got = live_findings(live, CLASSES)
        assert not [a for a in analysed if a.startswith("ClassDef")], (new, analysed)
        assert got == fresh(CLASSES)


@pytest.mark.parametrize("select", [(), ("UL109",)])
def test_a_quiet_statement_edit_beside_a_cached_method_is_analysed_alone_unless_ul109_runs(
    select: tuple[str, ...],
) -> None:
    """UL109 (off by default) reads module-level statements when a method is cached: only
    when it runs does a quiet statement's edit need a full analysis."""
    settings = Settings(extend_select=select)
    live = LiveModule("m.py", "m")
    live.analyse(CLASSES, settings)
    for old, new in [('name = "plain"', 'name = "plainx"'), ("LIMIT = 10", "LIMIT = 11")]:
        edited = CLASSES.replace(old, new)
        got = live.analyse(edited, settings).findings
        assert got == analyse_source(edited, "m.py", settings, "m").findings
        assert bool(live.fallback) == bool(select), (new, live.fallback)
        got = live.analyse(CLASSES, settings).findings
        assert got == analyse_source(CLASSES, "m.py", settings, "m").findings


@pytest.mark.parametrize("select", [(), ("UL109",)])
def test_typing_anywhere_in_classes_with_acquiring_bodies_matches_fresh_analysis(
    select: tuple[str, ...],
) -> None:
    """Class bodies that acquire (their findings cached with the class's text), class
    headers, class-level statements, methods and module-level code, typed into and restored,
    and a line added above everything (every finding moves)."""
    settings = Settings(extend_select=select)
    text = CLASSES
    lines = text.splitlines(keepends=True)
    rng = random.Random(f"classes-{select}")
    live = LiveModule("m.py", "m")
    live.analyse(text, settings)
    for line, column in name_positions(text, 40, rng):
        original = lines[line - 1]
        for typed in (original[:column] + "x" + original[column:], original):
            lines[line - 1] = typed
            for edited in ("".join(lines), "# moved\n" + "".join(lines)):
                got = live.analyse(edited, settings).findings
                want = analyse_source(edited, "m.py", settings, "m").findings
                assert got == want, (line, typed, edited.startswith("#"))


def test_an_edit_in_a_method_of_a_nested_class_reanalyses_that_method_alone() -> None:
    live = LiveModule("m.py", "m")
    live_findings(live, CLASSES)
    for old, new, alone in [
        ("data = open(path).read()", "data = open(pathx).read()", True),
        ("return data + self.parent.text", "return data", True),
        # What the outer class's attribute types read: a full analysis.
        ('self.log = open("section.log")', 'self.logx = open("section.log")', False),
    ]:
        edited = CLASSES.replace(old, new)
        assert edited != CLASSES
        got = live_findings(live, edited)
        assert (live.fallback == "") == alone, (new, live.fallback)
        assert got == fresh(edited), new
        got = live_findings(live, CLASSES)
        assert got == fresh(CLASSES), new


CALLABLES = textwrap.dedent(
    """\
    import io


    class Store:
        def __init__(self, opener=open, name="x"):
            self.opener = opener
            self.name = name

        def load(self, path):
            return self.opener(path)

        def reset(self):
            pass


    def use(path):
        store = Store()
        f = store.load(path)
        return f.read()
    """
)


def test_edits_of_what_a_class_keeps_callable_on_self_match_fresh_analysis() -> None:
    """What `self.opener` holds is read from every member of the class (kept per member
    from one version to the next): edits that make it a callable, or not, one after the
    other."""
    live = LiveModule("m.py", "m")
    live_findings(live, CALLABLES)
    seen = set()
    text = CALLABLES
    for old, new in [
        ("    pass\n", "    self.opener = io.open\n"),  # bound again elsewhere
        ("self.opener = io.open", "self.openerx = io.open"),
        ('name="x"', 'name="y"'),
        ("opener=open", "opener=None"),
        ("opener=None", "opener=io.open"),
        ("    def reset", "    opener = None\n\n    def reset"),  # a class attribute
        ("    opener = None\n\n", ""),
        ("self.opener = opener", "self.opener = self.opener2 = opener"),
    ]:
        assert old in text, old
        text = text.replace(old, new)
        got = live_findings(live, text)
        assert got == fresh(text), new
        seen.add(tuple(f.code for f in got))
    assert len(seen) > 1  # the edits change what is found


@pytest.mark.parametrize("name", ["subprocess.py", "tempfile.py", "ftplib.py"])
def test_a_name_found_once_as_a_word_as_the_regular_expression_finds_it(name: str) -> None:
    text = (STDLIB / name).read_text(encoding="utf-8")
    words = sorted(set(re.findall(r"[A-Za-z_]\w*", text)))
    for word in [*random.Random(name).sample(words, 80), "a", "_", "x1", "Popen"]:
        want = len(re.findall(rf"(?<!\w){re.escape(word)}(?!\w)", text)) == 1
        assert _once(word, text) == want, word


CHOSEN = textwrap.dedent(
    """\
    import socket


    class Conn:
        def __init__(self, host):
            self.sock = socket.create_connection((host, 80))

        def close(self):
            self.sock.close()


    class Client:
        conn_class = Conn

        def connect(self, host):
            conn = self.conn_class(host)
            return conn.sock.fileno()

        def reset(self):
            pass
    """
)


def test_edits_of_a_class_attribute_a_method_calls_match_fresh_analysis() -> None:
    """What `self.conn_class(...)` makes is the class attribute's class unless a method binds
    the attribute on `self` (what each method binds is kept per member from one version to
    the next): edits that bind it, or not, one after the other."""
    live = LiveModule("m.py", "m")
    assert live_findings(live, CHOSEN) == fresh(CHOSEN)
    seen = set()
    text = CHOSEN
    for old, new in [
        ("        pass\n", "        self.conn_class = None\n"),
        ("self.conn_class = None", "self.conn_classx = None"),
        ("self.conn_classx = None", "del self.conn_class"),
        ("del self.conn_class", "pass"),
        ("    conn_class = Conn\n", "    conn_class = Conn\n    conn_class = Conn\n"),
        ("    conn_class = Conn\n    conn_class = Conn\n", "    conn_class = Conn\n"),
    ]:
        assert old in text, old
        text = text.replace(old, new)
        got = live_findings(live, text)
        assert got == fresh(text), new
        seen.add(tuple(f.code for f in got))
    assert len(seen) > 1  # the edits change what is found


UNBOUND = textwrap.dedent(
    """\
    def make(p):
        return open(p)


    def use(p):
        with open(p) as log:
            log.read()
        try:
            f = make(p)
            return f.read()
        finally:
            f.close()
    """
)


def test_unbound_in_finally_findings_follow_the_summaries_they_read() -> None:
    """A function's UL104 findings are kept from one analysis to the next while its text and
    context are unchanged: `make` returning a file, or not, one after the other (`use` still
    opens a file itself)."""
    live = LiveModule("m.py", "m")
    text = UNBOUND
    assert "UL104" in {f.code for f in live_findings(live, text)}
    seen = set()
    for old, new in [
        ("return open(p)", "return p"),
        ("return p", "return open(p)"),
        ("        return f.read()", "        return f.read(1)"),
        ("return open(p)", "return str(p)"),
    ]:
        assert old in text, old
        text = text.replace(old, new)
        got = live_findings(live, text)
        assert got == fresh(text), new
        seen.add(tuple(f.code for f in got))
    assert len(seen) > 1


DROPPED = textwrap.dedent(
    """\
    def make(p):
        return open(p)


    class Holder:
        def load(self, p):
            with open(p) as log:
                log.read()
            try:
                self.f = make(p)
                self.f.read()
            except OSError:
                self.f = None
    """
)


def test_handler_drop_findings_follow_the_summaries_they_read() -> None:
    """A method's findings of a resource its `except` handler drops (UL102) are kept from one
    analysis to the next while its text and context are unchanged: `make` returning a file,
    or not, one after the other."""
    live = LiveModule("m.py", "m")
    text = DROPPED
    assert "UL102" in {f.code for f in live_findings(live, text)}
    seen = set()
    for old, new in [
        ("return open(p)", "return p"),
        ("return p", "return open(p)"),
        ("self.f.read()", "self.f.read(1)"),
        ("return open(p)", "return str(p)"),
    ]:
        assert old in text, old
        text = text.replace(old, new)
        got = live_findings(live, text)
        assert got == fresh(text), new
        seen.add(tuple(f.code for f in got))
    assert len(seen) > 1


_CALLER_BODIES = [
    "a.close()",
    "b.close()",
    "keep.append(a)",
    "data = a.read()",
    "return a",
    "pass",
    "f = open(b)",
    "helper_{j}(s, b)",
    "helper_{j}(b, s)",
    "x = helper_{j}(a, s)\n{i}x.close()",
    "s.close()",
    "if a:\n{i}    a.close()",
    "Box_{k}(s)",
    "Box_{k}(s).close()",
    "\n",  # a line more or less: the definitions below move
]
_METHOD_BODIES = [
    "self.m_{j}(a, s)",
    "self.m_{j}(s, b)",
    "y = self.m_{j}(a, b)\n{i}y.close()",
]


@pytest.mark.parametrize("fixes", [False, True])
def test_summary_changes_reach_callers_in_classes_and_chains_as_fresh_analysis(
    fixes: bool,
) -> None:
    """What functions and methods do to their parameters keeps changing, while others call
    them directly, through `self`, through a chain of callers, or build instances whose
    constructor calls them; lines are added and removed: every version as fresh, and the
    edits that change a summary are analysed with their callers, not in full. (No function
    calls itself, directly or not.) With fixes, no blank line is typed in a body: the fixes
    kept while blank lines are typed still hold the text before them."""
    rng = random.Random(f"callers-{fixes}")
    functions: list[list[str]] = [["pass"] for _ in range(4)]
    methods = [[["pass"] for _ in range(3)] for _ in range(2)]
    inits = ["self.a = a", "self.a = a\n        helper_3(a, None)"]

    def body(lines: list[str], indent: str) -> str:
        return "".join(f"{indent}{line.format(i=indent)}\n" for line in lines)

    def module() -> str:
        out = ["import socket\n\nkeep = []\n"]
        for i, lines in enumerate(functions):
            out.append(f"\n\ndef helper_{i}(a, b):\n    s = socket.socket()\n")
            out.append(body(lines, "    "))
        for c, members in enumerate(methods):
            out.append(f"\n\nclass Box_{c}:\n    def __init__(self, a):\n        {inits[c]}\n")
            for m, lines in enumerate(members):
                out.append(f"\n    def m_{m}(self, a, b):\n        s = socket.socket()\n")
                out.append(body(lines, "        "))
        return "".join(out)

    def expected(text: str) -> list[Finding]:
        return fresh(text) if fixes else [replace(f, fix=None) for f in fresh(text)]

    live = LiveModule("m.py", "m", fixes=fixes)
    text = module()
    assert live_findings(live, text) == expected(text)
    with_callers = 0
    for step in range(200):
        # Calls go down the list alone (helper_0 may call helper_1 to helper_3 and build a
        # Box, methods call later methods; `Box_1.__init__` calls helper_3).
        if rng.random() < 0.5:
            i = rng.randrange(len(functions) - 1)
            target, choices, later = functions[i], _CALLER_BODIES, range(i + 1, 4)
        else:
            m = rng.randrange(3)
            target = methods[rng.randrange(2)][m]
            choices = _CALLER_BODIES + (_METHOD_BODIES if m < 2 else [])
            later = range(4)  # any function
        if rng.random() < 0.5 or len(target) == 1:
            line = rng.choice([c for c in choices if fixes is False or c != "\n"])
            if "self.m_" in line:
                later = range(m + 1, 3)
            line = line.replace("{j}", str(rng.choice(later)))
            line = line.replace("{k}", str(rng.randrange(2)))
            target.insert(rng.randrange(len(target) + 1), line)
        else:
            del target[rng.randrange(len(target))]
        text = module()
        if not parses(text):
            continue
        changed_before = live._changed
        assert live_findings(live, text) == expected(text), (step, live.fallback)
        if not live.fallback and (live._changed is not None or changed_before is not None):
            with_callers += 1
    assert with_callers >= 20, (with_callers, live.full_runs, live.partial_runs)


def test_a_summary_change_reaches_the_callers_of_its_callers() -> None:
    """`close_it` stops closing its parameter: `pass_on`, which hands its own parameter to
    it, no longer closes its parameter either, so `use` (which names `pass_on` alone) leaks;
    a method calling `self.pass_on_too` likewise. Both are analysed again with the edit,
    not in full, and go back when it is undone."""
    source = textwrap.dedent(
        """\
        import socket


        def close_it(sock):
            sock.close()


        def pass_on(sock):
            close_it(sock)


        def use(host):
            sock = socket.create_connection((host, 80))
            pass_on(sock)


        class Client:
            def pass_on_too(self, sock):
                pass_on(sock)

            def fetch(self, host):
                sock = socket.create_connection((host, 80))
                self.pass_on_too(sock)


        def unrelated(path):
            f = open(path)
            return f.read()
        """
    )
    live = LiveModule("m.py", "m", fixes=False)
    expected = [replace(f, fix=None) for f in fresh(source)]
    assert live_findings(live, source) == expected
    edited = source.replace("    sock.close()\n", "    sock.fileno()\n")
    got = live_findings(live, edited)
    assert got == [replace(f, fix=None) for f in fresh(edited)]
    assert {f.span.line for f in got} - {f.span.line for f in expected} == {13, 22}
    assert live.fallback == "" and live.full_runs == 1, live.fallback
    assert live._changed is not None
    assert {"close_it", "pass_on", "pass_on_too"} <= live._changed.names
    assert live_findings(live, source) == expected
    assert live.fallback == "" and live.full_runs == 1 and live._changed is None


def test_a_summary_change_among_recursive_functions_is_analysed_in_full() -> None:
    """What a function in a recursion gives depends on which summary was asked for first:
    an edit that changes one of them is analysed in full, as a fresh analysis asks."""
    source = textwrap.dedent(
        """\
        import socket


        def ping(sock, n):
            if n:
                pong(sock, n - 1)
            sock.close()


        def pong(sock, n):
            ping(sock, n)


        def use(host):
            sock = socket.create_connection((host, 80))
            pong(sock, 3)
        """
    )
    live = LiveModule("m.py", "m", fixes=False)
    live_findings(live, source)
    edited = source.replace("    sock.close()\n", "    sock.fileno()\n")
    assert live_findings(live, edited) == [replace(f, fix=None) for f in fresh(edited)]
    assert live.fallback.endswith("recursive summaries"), live.fallback


def test_class_attribute_edits_read_by_methods_or_not() -> None:
    """A class attribute a method calls through `self` (`closer = _close_it`), rebound to
    another function: analysed in full. `__slots__`, bound to constants in this class and
    others and read by no method, renamed and restored: the edit is analysed alone, and a
    method then typed to name the new name goes in full."""
    source = textwrap.dedent(
        """\
        def _close_it(f):
            f.close()


        def _peek(f):
            return f.name


        class Reader:
            closer = _close_it

            def read(self, path):
                f = open(path)
                self.closer(f)


        class Empty:
            __slots__ = ()

            def size(self):
                return 0


        class Other:
            __slots__ = ("a",)
        """
    )
    for fixes in (False, True):
        live = LiveModule("m.py", "m", fixes=fixes)

        def expected(text: str, fixes: bool = fixes) -> list[Finding]:
            return fresh(text) if fixes else [replace(f, fix=None) for f in fresh(text)]

        assert live_findings(live, source) == expected(source)
        rebound = source.replace("closer = _close_it", "closer = _peek")
        assert live_findings(live, rebound) == expected(rebound)
        assert live.fallback
        assert live_findings(live, source) == expected(source)
        full = live.full_runs
        for text in (source.replace("__slots__ = ()", "__slots__x = ()"), source):
            assert live_findings(live, text) == expected(text)
            assert live.fallback == "" and live.full_runs == full, live.fallback
        renamed = source.replace("__slots__ = ()", "__slots__x = ()")
        live_findings(live, renamed)
        named = renamed.replace("        return 0\n", "        return self.__slots__x\n")
        assert live_findings(live, named) == expected(named)
        assert live.fallback == "names a class attribute bound since the full analysis"


def test_rebinding_a_class_attribute_a_method_calls_through_self() -> None:
    """`wrap_class = Closer` -> `wrap_class = Keeper`: what `self.wrap_class(f)` does to `f`
    changes (Keeper's constructor does not close it), so the method's findings do. The
    statement binds the same name, acquires nothing, and was kept as it was (a stale
    finding, missing here); it now goes in full."""
    source = textwrap.dedent(
        """\
        class Closer:
            def __init__(self, f):
                f.close()


        class Keeper:
            def __init__(self, f):
                print(f.name)


        class Reader:
            wrap_class = Closer

            def read(self, path):
                f = open(path)
                self.wrap_class(f)
        """
    )
    live = LiveModule("m.py", "m", fixes=False)
    assert live_findings(live, source) == []
    edited = source.replace("wrap_class = Closer", "wrap_class = Keeper")
    got = live_findings(live, edited)
    assert [f.code for f in got] == ["UL101"]
    assert got == [replace(f, fix=None) for f in fresh(edited)]


STORES = textwrap.dedent(
    """\
    import io
    import os
    import socket


    class Pipes:
        def __init__(self, path, host):
            self._log = open(path)
            self.stdout = io.open(path + ".out", "rb")
            self._sock = socket.create_connection((host, 80))
            fd = os.open(path, os.O_RDONLY)
            self._fd = fd
            if host:
                self.extra = open(path + ".x")

        def send(self, data):
            self._sock.sendall(data)

        def detach(self):
            return self._sock


    class Keeper:
        def open(self, path):
            self._f = open(path)
            return self._f.readline()

        def __del__(self):
            self._f.close()


    class Store:
        def __init__(self, path):
            self._conn = open(path)

        def close(self):
            self._conn.close()

        def __exit__(self, *exc):
            self.close()


    class Sub(Pipes):
        def stop(self):
            self._log.close()


    def use(path):
        with Store(path) as s:
            return s
    """
)


def test_an_edit_in_a_method_storing_a_resource_on_self_reanalyses_it_alone() -> None:
    """Its class's UL106 findings sit in it: they are made again from the class scan, with
    the method's stores where the edit left them; a restored text reuses its cached
    findings."""
    live = LiveModule("m.py", "m")
    assert live_findings(live, STORES) == fresh(STORES)
    assert {f.code for f in fresh(STORES)} >= {"UL106"}
    steps = [
        STORES.replace("if host:", "if hostx:"),
        STORES.replace("self._log = open(path)", "self._log = open(path)\n        n = 1"),
        STORES.replace('(path + ".out", "rb")', '(path + ".outx", "rb")'),
        STORES,
    ]
    for text in steps:
        assert live_findings(live, text) == fresh(text), live.fallback
        assert not live.fallback
    # A line added in `Pipes`, then a method of `Keeper` (below it) typed into and restored:
    # the restored method's findings are those cached by the full analysis (keyed by its
    # class's words, found where the edits moved them).
    moved = STORES.replace("self._sock.sendall(data)", "self._sock.sendall(data)\n        n = 1")
    typed = moved.replace("return self._f.readline()", "return self._f.readlinex()")
    for text in (moved, typed, moved):
        hits, misses = live.units.hits, live.units.misses
        assert live_findings(live, text) == fresh(text), live.fallback
        assert not live.fallback
    assert live.units.misses == misses and live.units.hits > hits
    assert live_findings(live, STORES) == fresh(STORES)
    # What it releases changed: the class scan reads it, in full.
    other = STORES.replace("self._fd = fd", "self._fd = fd\n        self._sock.close()")
    assert live_findings(live, other) == fresh(other)
    assert live.fallback == "contribution changed: what the class scan reads changed"


def test_typing_in_classes_storing_resources_matches_fresh_analysis() -> None:
    """Typed into and restored at random names, with statements added to methods on the way
    (the lines after them move: a method's cached findings are keyed by its class's words)."""
    lines = STORES.splitlines(keepends=True)
    rng = random.Random("stores")
    live = LiveModule("m.py", "m")
    live_findings(live, STORES)
    positions = name_positions(STORES, 60, rng)
    for k, (line, column) in enumerate(positions):
        original = lines[line - 1]
        for typed in (original[:column] + "x" + original[column:], original):
            lines[line - 1] = typed
            edited = "".join(lines)
            assert live_findings(live, edited) == fresh(edited), (line, typed)
        if rng.random() < 0.3:
            at = rng.choice([i for i, s in enumerate(lines) if s.startswith("        self.")])
            lines.insert(at, "        n = 0\n")
            edited = "".join(lines)
            assert live_findings(live, edited) == fresh(edited), ("added", at)
            positions[k + 1 :] = [(n + (n > at), c) for n, c in positions[k + 1 :]]
    # (31 before the edits of `Pipes.__init__` were analysed alone; 45 before an `__init__`
    # edit that changes what a parameter becomes went in full: the constructor's callers
    # read it.)
    assert live.partial_runs >= 40, (live.full_runs, live.partial_runs)


HANDOFF = textwrap.dedent(
    """\
    import threading


    class Gate:
        def __init__(self):
            self._lock = threading.Lock()
            self.closed = False

        def enter(self):
            self._lock.acquire()
            if self.closed:
                self._lock.release()
                raise RuntimeError("closed")
            return self

        def leave(self):
            self.count = 0
            self._lock.release()
    """
)


def test_an_edit_of_a_sibling_that_releases_a_lock_reanalyses_the_acquiring_method() -> None:
    # `enter()` hands its lock to `leave()`: no finding while `leave()` releases it.
    live = LiveModule("m.py", "m")
    assert live_findings(live, HANDOFF) == fresh(HANDOFF) == []
    releasing = "self.count = 0\n        self._lock.release()"
    not_releasing = "self.count = 0\n        self._lock.locked()"
    recounted = HANDOFF.replace("self.count = 0", "self.count = 1")
    leaking = HANDOFF.replace(releasing, not_releasing)
    assert recounted != HANDOFF and leaking != HANDOFF
    assert [f.code for f in fresh(leaking)] == ["UL105"]
    # No lock in the edit: `leave()` alone; one that stops (or starts again) releasing the
    # lock `enter()` acquires: in full, where `enter()` is judged again.
    for edited, alone in [(recounted, True), (leaking, False), (HANDOFF, False)]:
        got = live_findings(live, edited)
        assert got == fresh(edited)
        assert (live.fallback == "") == alone, live.fallback


@pytest.mark.parametrize(
    "fixture",
    [
        "UL102/shipped_source.py",
        "UL102/process_callees.py",
        "UL101/process_lifetime.py",
        "UL101/process_ends.py",
    ],
)
def test_typing_where_functions_end_with_the_process_or_ship_their_source(fixture: str) -> None:
    # Which functions end with the process (an entry point's, a `target=`'s and their
    # callees) and which the module ships to another process (`inspect.getsource`, never
    # called) are module-wide facts every function's analysis reads: typing `x` into a call
    # (`_also_called_elsewherex(2221)`, `shipped_and_calledx()`), a reader
    # (`inspectx.getsourcelines`) or a name in such a function changes them, or not. Each
    # version held to a fresh analysis (a function analysed alone read facts of its own
    # lines alone, and an edit that changed them was analysed alone).
    path = Path(__file__).parents[1] / "fixtures" / "rules" / fixture
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    live = LiveModule("m.py", "m", fixes=False)
    live_findings(live, text)
    every = name_positions(text, 1000, random.Random(fixture))
    for line, column in every:
        original = lines[line - 1]
        for typed in (original[:column] + "x" + original[column:], original):
            lines[line - 1] = typed
            edited = "".join(lines)
            found = [replace(f, fix=None) for f in fresh(edited)]
            assert live_findings(live, edited) == found, (line, typed)
    # (Most edits are still analysed alone.)
    assert len(every) > 30 and live.partial_runs > len(every) // 2, (len(every), live.partial_runs)


def test_an_edit_of_a_decorator_that_holds_a_lock_reanalyses_what_it_decorates() -> None:
    # `@atomic` holds `self._atomic` around the methods it decorates (held_by_decorator.py):
    # one that gives that lock up and takes it back leaves it to the decorator.
    text = (FIXTURES / "UL105" / "held_by_decorator.py").read_text(encoding="utf-8")
    holding = "        with self._atomic:\n            return meth(self, *args)"
    other = text.replace(holding, holding.replace("self._atomic", "self._other"))
    printed = text.replace('print("calling", meth)', 'print("calling", meth, 1)')
    assert other != text and printed != text
    assert [f.span.line for f in fresh(other)] != [f.span.line for f in fresh(text)]
    live = LiveModule("m.py", "m")
    live_findings(live, text)
    for edited, alone in [(other, False), (text, False), (printed, True), (text, True)]:
        assert live_findings(live, edited) == fresh(edited)
        assert (live.fallback == "") == alone, live.fallback


def test_an_edit_that_changes_which_functions_end_the_process_is_analysed_in_full() -> None:
    # `main()` runs `_serve()` as a statement of its own: a failing bind ends the program
    # (process_callees.py). Run from elsewhere too, or no longer run, it leaks again.
    text = (FIXTURES / "UL102" / "process_callees.py").read_text(encoding="utf-8")
    not_run = text.replace("    _serve(2218)\n", "    x = 1\n")
    run_elsewhere = text.replace("    _probe(2222)\n", "    _probe(2222)\n    _serve(2224)\n")
    touched = text.replace("    _probe(2222)\n", "    _probe(2223)\n")
    assert len({not_run, run_elsewhere, touched, text}) == 4
    assert len(fresh(not_run)) == len(fresh(run_elsewhere)) == len(fresh(text)) + 1
    live = LiveModule("m.py", "m")
    live_findings(live, text)
    for edited, alone in [
        (not_run, False),
        (text, False),
        (run_elsewhere, False),
        (text, False),
        (touched, True),
    ]:
        assert live_findings(live, edited) == fresh(edited)
        assert (live.fallback == "") == alone, live.fallback


@pytest.mark.parametrize("rule", sorted(p.name for p in FIXTURES.iterdir() if p.is_dir()))
def test_statements_of_the_rule_fixtures_turned_off_and_back_match_fresh_analysis(
    rule: str,
) -> None:
    # The fixtures hold the shapes where one definition's findings depend on another's
    # (hand-offs, flags, constructors, process lifetime, shipped sources...): an edit of
    # either, analysed alone in the editor, must give what the command line gives.
    for path in sorted((FIXTURES / rule).glob("*.py")):
        text = path.read_text(encoding="utf-8")
        if not parses(text):
            continue
        lines = text.splitlines(keepends=True)
        candidates = statement_lines(lines)
        rng = random.Random(f"fixture-{rule}/{path.name}")
        live = LiveModule("m.py", "m")
        live_findings(live, text)
        for i in rng.sample(candidates, min(6, len(candidates))):
            original = lines[i]
            indent = original[: len(original) - len(original.lstrip())]
            for line in (f"{indent}pass\n", original):
                lines[i] = line
                edited = "".join(lines)
                if not parses(edited):
                    continue
                assert live_findings(live, edited) == fresh(edited), (path.name, i + 1, line)


def test_a_decorator_typed_above_a_method_is_not_a_syntax_error() -> None:
    source = textwrap.dedent(
        """\
        class Pending:
            def __init__(self, path):
                self.f = open(path)

            def closed(self):
                return self.f.closed
        """
    )
    live = LiveModule("m.py", "m")
    live_findings(live, source)
    lines = source.splitlines(keepends=True)
    at = lines.index("    def closed(self):\n")
    for typed in ("    @", "    @prop", "    @property"):
        edited = "".join([*lines[:at], typed + "\n", *lines[at:]])
        _check(live, edited, typed)
    assert all(f.code != "UL001" for f in live_findings(live, edited))


def test_a_function_that_stops_reading_a_script_s_resource_leaves_it_to_the_script() -> None:
    # script_scope.py: `rows_file` is the module's while `next_row()` reads `rows`.
    text = (FIXTURES / "UL101" / "script_scope.py").read_text(encoding="utf-8")
    unread = text.replace("    return next(rows)\n", "    return None\n")
    assert unread != text and len(fresh(unread)) == len(fresh(text)) + 1
    live = LiveModule("m.py", "m")
    live_findings(live, text)
    for edited in (unread, text):
        assert live_findings(live, edited) == fresh(edited)
        assert live.fallback == "contribution changed: module-level names it reads changed"


@pytest.mark.parametrize("rule", sorted(p.name for p in FIXTURES.iterdir() if p.is_dir()))
def test_typing_at_random_names_of_the_rule_fixtures_matches_fresh_analysis(rule: str) -> None:
    # A character typed into a name and deleted: a parameter renamed under a closure that
    # keeps it, a callee renamed away from a hand-off, and so on.
    for path in sorted((FIXTURES / rule).glob("*.py")):
        text = path.read_text(encoding="utf-8")
        if not parses(text):
            continue
        lines = text.splitlines(keepends=True)
        rng = random.Random(f"fixture-names-{rule}/{path.name}")
        live = LiveModule("m.py", "m")
        live_findings(live, text)
        for line, column in name_positions(text, 6, rng):
            original = lines[line - 1]
            for typed in (original[:column] + "x" + original[column:], original):
                lines[line - 1] = typed
                edited = "".join(lines)
                assert live_findings(live, edited) == fresh(edited), (path.name, line, typed)
