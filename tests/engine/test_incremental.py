"""Reusing per-definition results between analyses gives the same findings as a fresh run."""

from __future__ import annotations

import random
import sysconfig
import textwrap
from pathlib import Path

import pytest
from unleak.findings.incremental import UnitCache
from unleak.pipeline.api import analyse_source

STDLIB = Path(sysconfig.get_paths()["stdlib"])


def findings(text: str, cache: UnitCache | None = None) -> list[tuple[object, ...]]:
    report = analyse_source(text, "m.py", None, "m", cache)
    return [(f.code, f.span, f.message, f.related) for f in report.findings]


def test_unchanged_functions_are_reused_with_shifted_positions() -> None:
    # `closing` is imported already: a fix that adds an import edits outside its function
    # and is never cached.
    src = textwrap.dedent(
        """\
        import sqlite3
        from contextlib import closing

        def first(p):
            f = open(p)
            return f.read()

        def second(db):
            conn = sqlite3.connect(db)
            return conn.execute("select 1").fetchone()
        """
    )
    cache = UnitCache()
    assert findings(src, cache) == findings(src)
    assert (cache.hits, cache.misses) == (0, 2)
    edited = src.replace("    return f.read()", "    data = f.read()\n\n    return data")
    assert findings(edited, cache) == findings(edited)
    # `second` moved down two lines and was reused; `first` changed and was analysed again.
    assert (cache.hits, cache.misses) == (1, 3)


def test_a_changed_helper_summary_invalidates_its_callers() -> None:
    src = textwrap.dedent(
        """\
        import sqlite3

        def connect(db):
            return sqlite3.connect(db)

        def use(db):
            conn = connect(db)
            return conn.total_changes
        """
    )
    cache = UnitCache()
    assert [f[0] for f in findings(src, cache)] == ["UL101"]
    no_factory = src.replace("return sqlite3.connect(db)", "return db")
    assert findings(no_factory, cache) == findings(no_factory) == []


@pytest.mark.parametrize("name", ["ftplib.py", "subprocess.py", "tarfile.py", "socketserver.py"])
def test_random_edits_to_stdlib_modules_match_fresh_analysis(name: str) -> None:
    path = STDLIB / name
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    rng = random.Random(f"unleak-{name}")
    cache = UnitCache()
    findings("".join(lines), cache)
    for _ in range(8):
        i = rng.randrange(len(lines))
        indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
        choice = rng.choice(["blank", "comment", "delete", "assign"])
        if choice == "blank":
            lines.insert(i, "\n")
        elif choice == "comment":
            lines.insert(i, f"{indent}# edited\n")
        elif choice == "delete" and lines[i].strip() and not lines[i].rstrip().endswith(":"):
            lines[i] = f"{indent}pass\n"
        else:
            lines.insert(i, f"{indent}_unused = 1\n")
        text = "".join(lines)
        assert findings(text, cache) == findings(text)
    assert cache.hits > 0


def test_a_sibling_method_releasing_the_lock_invalidates_the_acquiring_one() -> None:
    # Whether returning with `self._lock` held is a hand-off depends on the other methods of
    # the class: a reused result must not outlive a change to them.
    src = textwrap.dedent(
        """\
        import threading

        class Gate:
            def __init__(self):
                self._lock = threading.Lock()

            def enter(self, ready):
                self._lock.acquire()
                if not ready:
                    self._lock.release()
                    return False
                return True

            def leave(self):
                self._lock.release()
        """
    )
    cache = UnitCache()
    assert findings(src, cache) == findings(src) == []
    no_sibling = src.replace(
        "def leave(self):\n        self._lock.release()", "def leave(self):\n        pass"
    )
    assert [f[0] for f in findings(no_sibling)] == ["UL105"]
    assert findings(no_sibling, cache) == findings(no_sibling)
    # A lock built by a constructor that makes something else (not a lock) is no lock.
    deferred = src.replace("threading.Lock()", "defer.DeferredLock()").replace(
        "import threading", "import threading\nfrom twisted.internet import defer"
    )
    not_a_lock = no_sibling.replace("threading.Lock()", "defer.DeferredLock()").replace(
        "import threading", "import threading\nfrom twisted.internet import defer"
    )
    assert findings(deferred, cache) == findings(deferred)
    assert findings(not_a_lock, cache) == findings(not_a_lock) == []
