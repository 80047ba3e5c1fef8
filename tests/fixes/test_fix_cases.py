"""Before/after fix cases: each `cases/NAME.py` becomes `cases/NAME.fixed.py` under
`fix_source` (unsafe fixes only for `*_unsafe.py`), byte for byte, and the result is stable."""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

import pytest
from unleak.pipeline.api import check_source
from unleak.pipeline.fix_loop import fix_source

CASES = Path(__file__).parent / "cases"
BEFORE = sorted(p for p in CASES.glob("*.py") if not p.name.endswith(".fixed.py"))


def test_every_case_has_an_expected_result() -> None:
    assert BEFORE
    for path in BEFORE:
        assert path.with_name(path.stem + ".fixed.py").exists(), path.name


@pytest.mark.parametrize("path", BEFORE, ids=lambda p: p.stem)
def test_fix_matches_expected(path: Path) -> None:
    text = path.read_bytes().decode("utf-8")
    unsafe = path.stem.endswith("unsafe")
    expected = path.with_name(path.stem + ".fixed.py").read_bytes().decode("utf-8")
    result = fix_source(text, str(path), unsafe=unsafe)
    assert result.text == expected
    # Line endings and indentation survive (CRLF stays CRLF, tabs stay tabs).
    assert ("\r\n" in text) == ("\r\n" in result.text)
    compile(result.text, str(path), "exec")
    # Re-indenting never changes a string's contents (a triple-quoted one's lines included).
    assert _strings(result.text) == _strings(text)
    # The fixed code is clean, and fixing again changes nothing.
    assert [f.code for f in check_source(result.text, str(path))] == []
    again = fix_source(result.text, str(path), unsafe=unsafe)
    assert again.text == result.text and not again.applied


def _strings(text: str) -> Counter[str | bytes]:
    tree = ast.parse(text)
    return Counter(
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, (str, bytes))
    )


def test_unsafe_fixes_need_opting_in() -> None:
    path = CASES / "popen_unsafe.py"
    text = path.read_text(encoding="utf-8")
    (finding,) = check_source(text, str(path))
    assert finding.fix is not None and not finding.fix.safe
    assert "waits for the process" in finding.fix.description
    assert fix_source(text, str(path)).text == text


NO_SAFE_FIX = {
    "reopened after release": """\
import smtplib


def resend(host, msg):
    smtp = smtplib.SMTP(host)
    smtp.sendmail("a@b", ["c@d"], msg)
    smtp.quit()
    smtp.connect(host)
    return smtp
""",
    "tuple result": """\
class T:
    def test_accept(self):
        foo = self.serv.accept()
""",
    "closed in a loop, then the loop goes on": """\
def first_line(path, names):
    f = open(path)
    for line in f:
        if line in names:
            f.close()
            break
    return f.closed
""",
    "closed on one path, read after on the other": """\
def read_data(path, more):
    f = open(path, encoding="utf-8")
    data = f.read()
    if data:
        f.close()
    if more:
        data += f.read()
    return data
""",
    "closed under a condition with an effect": """\
def read_data(path, check):
    f = open(path, encoding="utf-8")
    data = f.read()
    if check(data):
        f.close()
    return data
""",
    "ownership flag unbound on one path": """\
def read_script(path, stream=None):
    if stream is None:
        stream = open(path, encoding="utf-8")
        owned = True
    header = stream.readline()
    if not header:
        raise ValueError("empty")
    if owned:
        stream.close()
    return header
""",
    "temporary file's path handed to a child that runs on": """\
import subprocess
import tempfile


def launch(text):
    tmp = tempfile.NamedTemporaryFile("w")
    tmp.write(text)
    tmp.flush()
    child = subprocess.Popen(["cat", tmp.name])
    return child.pid
""",
    "handler taken back only on the normal path": """\
import logging


def attach(path):
    handler = logging.FileHandler(path)
    log = logging.getLogger("x")
    log.addHandler(handler)
    log.warning("start")
    log.removeHandler(handler)
""",
    "returned through a call that only borrows it": """\
import os


def pipe_roundtrip(payload):
    r, w = os.pipe()
    with os.fdopen(w, "wb") as writer:
        writer.write(payload)
    return os.read(r, len(payload))
""",
    "lock held on return": """\
import threading

lock = threading.Lock()


def enter(ready):
    lock.acquire()
    if ready():
        return True
    lock.release()
    return False
""",
}


@pytest.mark.parametrize("name", sorted(NO_SAFE_FIX))
def test_no_safe_fix_where_it_would_change_behaviour(name: str) -> None:
    text = NO_SAFE_FIX[name]
    findings = check_source(text, "case.py")
    assert findings, "the case must still be reported"
    assert all(f.fix is None or not f.fix.safe for f in findings)
    assert fix_source(text, "case.py").text == text


def test_release_followed_by_checks_keeps_the_release() -> None:
    text = """\
import select


def check_close():
    ep = select.epoll()
    ep.register(0)
    ep.close()
    assert ep.closed
"""
    fixed = fix_source(text, "case.py").text
    assert "with select.epoll()" not in fixed
    assert fixed.index("ep.close()") < fixed.index("assert ep.closed")
    compile(fixed, "case.py", "exec")


def test_a_close_before_a_return_that_names_the_resource_stays() -> None:
    """`f.close(); return f.closed`: in a `with` the file would still be open at that
    return, so the close stays before it (a `finally` closes it on the other paths)."""
    text = """\
def load(path, log):
    f = open(path)
    data = f.read()
    if not data:
        f.close()
        return f.closed
    log(data)
    f.close()
    return data
"""
    fixed = fix_source(text, "case.py").text
    assert "with open(" not in fixed
    assert "            f.close()\n            return f.closed\n" in fixed
    compile(fixed, "case.py", "exec")


def test_indent_unit_ignores_aligned_continuation_lines() -> None:
    text = """\
import socket


def makeport(host,
             port):
    sock = socket.create_connection((host,
                                     port))
    sock.sendall(b"x")
    sock.close()
"""
    fixed = fix_source(text, "case.py").text
    assert "    with socket.create_connection((host," in fixed
    assert '\n        sock.sendall(b"x")\n' in fixed


def test_no_blank_line_right_after_the_new_block_opener() -> None:
    """Issue 14.6: a blank line between the acquisition and its use does not end up right
    after `with ...:` (nor after `with lock:`)."""
    text = """\
import socket


def send(addr, data):
    sock = socket.create_connection(addr)

    sock.sendall(data)
    sock.close()


def pop(lock, items):
    lock.acquire()

    items.pop()
    lock.release()
"""
    fixed = fix_source(text, "case.py", unsafe=True).text
    assert "    with socket.create_connection(addr) as sock:\n        sock.sendall(data)\n" in fixed
    assert "    with lock:\n        items.pop()\n" in fixed
    compile(fixed, "case.py", "exec")
