"""The flow analysis follows paths: conditions, loops, exceptions, generators."""

from __future__ import annotations

import textwrap

from unleak.pipeline.api import check_source


def codes(src: str) -> list[tuple[int, str]]:
    return [(f.span.line, f.code) for f in check_source(textwrap.dedent(src))]


def test_flag_set_with_acquisition_guards_release() -> None:
    src = """\
        def parse(source):
            close_source = False
            if not hasattr(source, "read"):
                source = open(source, "rb")
                close_source = True
            try:
                return source.read()
            finally:
                if close_source:
                    source.close()
        """
    assert codes(src) == []


def test_same_test_twice_takes_consistent_branches() -> None:
    src = """\
        import sys
        def main(name):
            if name == "-":
                fp = sys.stdin
            else:
                fp = open(name)
            try:
                return fp.read()
            finally:
                if name != "-":
                    fp.close()
        """
    assert codes(src) == []


def test_release_only_on_some_branch_is_reported() -> None:
    src = """\
        def f(p, flag):
            fp = open(p)
            if flag:
                fp.close()
        """
    assert codes(src) == [(2, "UL101")]


def test_none_check_in_finally() -> None:
    src = """\
        def f(p):
            conn = None
            try:
                conn = open(p)
                return conn.read()
            finally:
                if conn is not None:
                    conn.close()
        """
    assert codes(src) == []


def test_loop_rebinding_and_break() -> None:
    src = """\
        def total(paths):
            n = 0
            for p in paths:
                f = open(p)
                n += len(f.read())
            f.close()
            return n

        def first_match(paths, word):
            for p in paths:
                f = open(p)
                if word in f.read():
                    break
                f.close()
            return p
        """
    assert codes(src) == [(4, "UL107"), (11, "UL101")]


def test_generator_closed_at_yield() -> None:
    src = """\
        def lines(p):
            f = open(p)
            for line in f:
                yield line
            f.close()
        """
    (finding,) = check_source(textwrap.dedent(src))
    assert finding.code == "UL102"
    assert "`yield` on line 4" in finding.message


def test_contextmanager_must_release_in_finally() -> None:
    src = """\
        import contextlib, sqlite3
        @contextlib.contextmanager
        def bad(db):
            conn = sqlite3.connect(db)
            yield conn
            conn.close()

        @contextlib.contextmanager
        def good(db):
            conn = sqlite3.connect(db)
            try:
                yield conn
            finally:
                conn.close()

        def handed_out(db):
            conn = sqlite3.connect(db)
            yield conn
        """
    assert codes(src) == [(4, "UL102")]


def test_process_exit_is_not_a_leak() -> None:
    src = """\
        import sys
        def main(p):
            f = open(p)
            if not f.readline():
                sys.exit(1)
            f.close()
        """
    assert codes(src) == [(3, "UL102")]


def test_ownership_moves() -> None:
    src = """\
        import contextlib, io, atexit
        def a(p):
            return open(p), 1
        def b(self, p):
            self.f = open(p)
        def c(stack, p):
            stack.enter_context(open(p))
        def d(p):
            raw = open(p, "rb")
            return io.TextIOWrapper(raw)
        def e(p):
            f = open(p)
            atexit.register(f.close)
        def g(p):
            f = open(p)
            return lambda: f.read()
        """
    assert codes(src) == []


def test_locks_used_for_signalling_and_in_asserts() -> None:
    src = """\
        import threading
        class Waiter:
            def __init__(self):
                self.wakeup = threading.Lock()
                self.sem = threading.Semaphore(0)
            def wait(self):
                if self.wakeup.acquire(False):
                    self.count = 1
                self.wakeup.acquire()
                self.wakeup.release()
            def notify(self):
                assert not self.sem.acquire(False), "should not be acquirable"
                self.sem.release()
            def update(self, value):
                self.wakeup.acquire()
                self.check(value)
                self.wakeup.release()
        """
    assert codes(src) == [(15, "UL105")]


def test_benign_builtins_do_not_raise() -> None:
    src = """\
        def reopen(path):
            f = open(path)
            raw = getattr(f, "buffer", f)
            if isinstance(raw, int) or len(path) > 3:
                pass
            f.close()
            return raw
        """
    assert codes(src) == []


def test_sibling_elements_and_continue_explanations() -> None:
    src = """\
        import socket
        def spawn(start):
            stdin, stdin_w = socket.socketpair()
            try:
                start(stdin)
                if stdin_w is not None:
                    stdin.close()
                    stdin_w.close()
                    stdin_w = None
            finally:
                if stdin_w is not None:
                    stdin.close()
                    stdin_w.close()

        def scan(paths):
            for p in paths:
                f = open(p)
                if not f.readline():
                    continue
                f.close()
        """
    findings = check_source(textwrap.dedent(src))
    assert [(f.span.line, f.code) for f in findings] == [(17, "UL101")]
    assert "when the `continue` on line 19 runs" in findings[0].message


def test_bound_method_stored_on_self_moves_ownership() -> None:
    src = """\
        class Writer:
            def __init__(self, path):
                out = open(path, "w")
                self._write = out.write
        """
    assert codes(src) == []
