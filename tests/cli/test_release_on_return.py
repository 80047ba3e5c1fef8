"""A resource class's release methods that release only when they return (they do their work,
then close, with no `finally`) travel with the class to the modules that import it: there, an
exception out of such a call still leaks the instance, while one out of a method that closes in
its own `finally` does not."""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import RunCli, write

READERS = '''\
from zipfile import ZipFile


class XMLReader:
    def __init__(self, path):
        self.file = open(path, "rb")

    def read(self):
        try:
            return self.file.read()
        finally:
            self.close()

    def close(self):
        self.file.close()


class ExcelReader:
    def __init__(self, fn):
        self.archive = ZipFile(fn)

    def read(self):
        names = self.archive.namelist()
        self.archive.close()
        return names
'''

USE = '''\
from .readers import ExcelReader, XMLReader


def import_xml(path):
    reader = XMLReader(path)
    return reader.read()


def load_workbook(fn):
    reader = ExcelReader(fn)
    return reader.read()
'''


@pytest.mark.engine
def test_release_only_on_return_crosses_modules(cli: RunCli, project: Path) -> None:
    write(project, {"pkg/__init__.py": "", "pkg/readers.py": READERS, "pkg/use.py": USE})
    result = cli("check", "--no-cache")
    assert result.code == 1, result.out + result.err
    assert result.out.splitlines()[:-1] == [
        "pkg/use.py:10:14: UL102 The `ExcelReader` instance `reader` created by"
        " `ExcelReader(fn)` is not released if `reader.read()` on line 11 raises; `read()`"
        " releases it only when it returns; release it in a `finally` there",
    ]
