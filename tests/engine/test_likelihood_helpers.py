"""Helpers of the module that almost never fail: one defined in both branches of a `try`
(an optional import) or an `if`, and one that only sets a flag on a descriptor with `fcntl`
(a call of an OSError module that is in the table): a leak only through them is information."""

from __future__ import annotations

import textwrap

from unleak.pipeline.api import check_source

BRANCHES = """
import socket

try:
    from fcntl import F_GETFD, F_SETFD, FD_CLOEXEC, fcntl

    def set_cloexec(fd):
        flags = fcntl(fd, F_GETFD)
        fcntl(fd, F_SETFD, flags | FD_CLOEXEC)

except ImportError:
    def set_cloexec(fd):
        pass


def connect(path):
    sock = socket.socket(socket.AF_UNIX)
    set_cloexec(sock.fileno())
    try:
        sock.connect(path)
        return sock
    except OSError:
        sock.close()
        raise
"""


def severities(src: str) -> list[tuple[int, str, str]]:
    return [
        (f.span.line, f.code, f.severity.value)
        for f in check_source(textwrap.dedent(src), "m.py")
    ]


def test_helper_defined_in_branches_that_sets_a_flag_is_unlikely() -> None:
    assert severities(BRANCHES) == [(17, "UL102", "info")]


def test_helper_in_branches_that_may_fail_is_likely() -> None:
    src = BRANCHES.replace("        pass\n", "        raise OSError(fd)\n")
    assert severities(src) == [(17, "UL102", "warning")]


def test_top_level_helper_setting_a_flag_is_unlikely() -> None:
    src = """
        import fcntl
        import socket


        def set_cloexec(fd):
            flags = fcntl.fcntl(fd, fcntl.F_GETFD)
            fcntl.fcntl(fd, fcntl.F_SETFD, flags | fcntl.FD_CLOEXEC)


        def connect(path):
            sock = socket.socket(socket.AF_UNIX)
            set_cloexec(sock.fileno())
            try:
                sock.connect(path)
            except OSError:
                sock.close()
                raise
            return sock
        """
    assert severities(src) == [(12, "UL102", "info")]
