"""A class that opens only a path (and uses a stream it is given as it is) is known as such in
the modules that import it: an instance made there over `sys.stdout` holds nothing, one made
from a path must be closed."""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import RunCli, write

WRITER = '''\
class XMLWriter:
    def __init__(self, fileOrPath):
        if not hasattr(fileOrPath, "write"):
            self.file = open(fileOrPath, "wb")
            self._close = True
        else:
            self.file = fileOrPath
            self._close = False

    def write(self, data):
        self.file.write(data)

    def close(self):
        if self._close:
            self.file.close()
'''

USE = '''\
import sys

from .writer import XMLWriter


def dump(tag):
    writer = XMLWriter(sys.stdout)
    writer.write(tag)


def save(path, tag):
    writer = XMLWriter(path)
    writer.write(tag)
'''


@pytest.mark.engine
def test_path_or_stream_class_crosses_modules(cli: RunCli, project: Path) -> None:
    write(project, {"pkg/__init__.py": "", "pkg/writer.py": WRITER, "pkg/use.py": USE})
    result = cli("check", "--no-cache")
    assert result.code == 1, result.out + result.err
    assert result.out.splitlines()[:-1] == [
        # Information (findings/doubtful.py): the message says why, not what to call.
        "pkg/use.py:12:14: UL101 The `XMLWriter` instance `writer` created by"
        " `XMLWriter(path)` is never closed; information: a project class's instance may hold"
        " nothing open, depending on how it was made",
    ]
