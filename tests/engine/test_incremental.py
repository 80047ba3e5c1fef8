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
    # Each function's leak analysis and use-after-release check.
    assert (cache.hits, cache.misses) == (0, 4)
    edited = src.replace("    return f.read()", "    data = f.read()\n\n    return data")
    assert findings(edited, cache) == findings(edited)
    # `second` moved down two lines and was reused; `first` changed and was analysed again.
    assert (cache.hits, cache.misses) == (2, 6)


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


def _reports(text: str, cache: UnitCache) -> None:
    """Every finding (fixes too) of a cached analysis is the fresh one's."""
    cached = analyse_source(text, "m.py", None, "m", cache).findings
    assert cached == analyse_source(text, "m.py", None, "m").findings


def test_an_import_edit_reanalyses_only_the_functions_that_name_it() -> None:
    src = textwrap.dedent(
        """\
        import socket as net


        def first(p):
            with open(p) as f:
                return f.read()


        def second(host):
            sock = net.create_connection((host, 80))
            try:
                return sock.recv(1)
            finally:
                sock.close()
        """
    )
    cache = UnitCache()
    _reports(src, cache)
    # Leaks, uses after release and unbound names in `finally`, per function.
    assert (cache.hits, cache.misses) == (0, 6)
    _reports(src.replace("import socket as net", "import socket as nett"), cache)
    assert (cache.hits, cache.misses) == (3, 9)  # `first` names neither `net` nor `nett`


def test_a_renamed_function_reanalyses_only_the_functions_that_name_it() -> None:
    src = textwrap.dedent(
        """\
        def helper(text):
            return text.strip()


        def first(p):
            with open(p) as f:
                return helper(f.read())


        def second(p):
            with open(p) as f:
                return f.read()
        """
    )
    cache = UnitCache()
    _reports(src, cache)
    assert (cache.hits, cache.misses) == (0, 4)  # leaks and uses after release, per function
    _reports(src.replace("def helper(", "def helper2("), cache)
    assert (cache.hits, cache.misses) == (2, 6)  # `first` called the old name


def test_a_renamed_method_without_locks_keeps_its_siblings_lock_context() -> None:
    src = textwrap.dedent(
        """\
        import threading


        class Counter:
            def __init__(self):
                self.lock = threading.Lock()
                self.n = 0

            def bump(self):
                self.lock.acquire()
                try:
                    self.n += 1
                finally:
                    self.lock.release()

            def value(self):
                return self.n
        """
    )
    cache = UnitCache()
    _reports(src, cache)
    misses = cache.misses
    _reports(src.replace("def value(", "def current("), cache)
    assert cache.misses == misses  # nothing that was analysed changed


def test_a_fix_that_uses_an_import_is_not_reused_once_the_import_changes() -> None:
    src = textwrap.dedent(
        """\
        import sqlite3
        from contextlib import closing


        def first(db):
            with sqlite3.connect(db) as conn:
                return conn.total_changes
        """
    )
    cache = UnitCache()
    fixes = [f.fix for f in analyse_source(src, "m.py", None, "m", cache).findings]
    assert any(f is not None and "closing(" in f.edits[-1].new_text for f in fixes), fixes
    # `first` does not name `closing`, but its fix does: spelled otherwise now.
    for edited in (
        src.replace("from contextlib import closing", "from contextlib import closing as shut"),
        src.replace("from contextlib import closing\n", ""),
    ):
        _reports(edited, cache)
        _reports(src, cache)


def test_a_lock_handed_to_a_sibling_follows_the_siblings_edits() -> None:
    src = textwrap.dedent(
        """\
        import threading


        class Gate:
            def __init__(self):
                self.lock = threading.Lock()

            def enter(self):
                self.lock.acquire()
                if self.closed:
                    return False
                self.lock.release()
                return True

            def leave(self):
                self.lock.release()
        """
    )
    # `leave` no longer releases: `enter` hands the lock to no one when it returns False.
    edited = src.replace(
        "    def leave(self):\n        self.lock.release()", "    def leave(self):\n        pass"
    )
    assert [f.code for f in analyse_source(src).findings] == []
    assert [f.code for f in analyse_source(edited).findings] == ["UL105"]
    cache = UnitCache()
    for text in (src, edited, src, edited):
        _reports(text, cache)


def test_a_use_after_release_finding_is_reused_while_its_function_is_unchanged() -> None:
    src = textwrap.dedent(
        """\
        def first(p):
            with open(p) as f:
                data = f.read()
            return f.read() + data

        def second(p):
            with open(p) as g:
                pass
            return g.readline()
        """
    )
    cache = UnitCache()
    found = findings(src, cache)
    assert found == findings(src)
    assert [f[0] for f in found] == ["UL110", "UL110"]
    hits = cache.hits
    edited = src.replace("return f.read() + data", "return f.read() + data + data")
    assert findings(edited, cache) == findings(edited)
    # `second`'s leak analysis and its use-after-release check were both reused.
    assert cache.hits == hits + 2


def _entries(cache: UnitCache) -> dict[object, tuple[object, ...]]:
    return {
        key: (e.first_line, e.findings, e.consulted, e.fixes) for key, e in cache._entries.items()
    }


@pytest.mark.parametrize(
    "name", ["asyncio/base_subprocess.py", "ctypes/_aix.py", "tempfile.py", "subprocess.py"]
)
def test_a_deferring_cache_keeps_what_a_keyed_analysis_keeps(name: str) -> None:
    # The command line's first analysis keys its units only when a fix is to be checked
    # (`UnitCache(deferred=True)`, settled by `analyse_source`); what it then keeps, and how
    # the next analysis (a fix's check) reuses it, is what a keyed analysis gives.
    text = (STDLIB / name).read_text(encoding="utf-8")
    keyed, deferring = UnitCache(), UnitCache(deferred=True)
    first = analyse_source(text, name, None, "m", keyed)
    assert analyse_source(text, name, None, "m", deferring).findings == first.findings
    assert not deferring.deferring
    has_fix = any(f.fix is not None for f in first.findings)
    assert _entries(deferring) == (_entries(keyed) if has_fix else {})
    if has_fix:
        assert _entries(deferring)
        edited = text.replace("\ndef ", "\n\ndef ", 1)
        again = analyse_source(edited, name, None, "m", keyed)
        assert analyse_source(edited, name, None, "m", deferring).findings == again.findings
        assert (deferring.hits, deferring.misses) == (keyed.hits, keyed.misses)
        assert keyed.hits


def test_a_closure_follows_its_enclosing_functions_names_and_class() -> None:
    # The nested function's text stays the same; what it calls (`open` rebound or not in the
    # enclosing function) and whose `self` it has (a method's or not) change around it.
    src = textwrap.dedent(
        """\
        import threading
        import webbrowser

        def launch(url):
            open = webbrowser.open

            def go():
                open(url)

            return go

        class Mutex:
            def __init__(self):
                self.lock = threading.Lock()

            def make(self):
                def take(timeout):
                    if self.lock.acquire(True, timeout):
                        if timeout is None:
                            return True
                        self.lock.release()
                    return False

                return take

            def release(self):
                self.lock.release()
        """
    )
    cache = UnitCache()
    assert findings(src, cache) == findings(src) == []
    builtin = src.replace("    open = webbrowser.open\n", "    opener = webbrowser.open\n")
    assert [f[0] for f in findings(builtin, cache)] == ["UL101"]
    assert findings(builtin, cache) == findings(builtin)
    # `make` no longer a method: its closure's `self` is no instance of Mutex.
    unpaired = src.replace("class Mutex:", "if True:").replace(
        "    def release(self):\n        self.lock.release()\n", ""
    )
    assert findings(unpaired, cache) == findings(unpaired)
    assert [f[0] for f in findings(unpaired)] == ["UL105"]
