"""`unleak check` on valid code for a newer Python than its own: a note, not a failure (so a
pre-commit hook passes), unless the project's `requires-python` supports an older Python
than the code needs; requires-python is read with or without a [tool.unleak] table."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from .helpers import RunCli, write

pytestmark = pytest.mark.skipif(sys.version_info >= (3, 12), reason="Python 3.12 parses it")
ALIAS = "type Pair = tuple[int, int]\n"


def test_newer_syntax_is_a_note_that_does_not_fail(cli: RunCli, project: Path) -> None:
    write(project, {"a.py": ALIAS})
    result = cli("check", "--no-cache", "--format", "json", "a.py")
    assert result.code == 0, result.out
    assert '"severity": "info"' in result.out and "needs Python 3.12" in result.out


@pytest.mark.parametrize("table", ["", "[tool.unleak]\n"], ids=["plain", "configured"])
def test_requires_python_older_than_the_syntax_is_an_error(
    cli: RunCli, tmp_path: Path, table: str
) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": f'[project]\nname = "p"\nrequires-python = ">=3.10"\n{table}',
            "a.py": ALIAS,
        },
    )
    result = cli("check", "--no-cache", "a.py")
    assert result.code == 1
    assert "but the project supports Python 3.10 (requires-python" in result.out
    # The same code in a project for 3.12 and newer: a note again.
    (tmp_path / "pyproject.toml").write_text(
        f'[project]\nname = "p"\nrequires-python = ">=3.12"\n{table}', encoding="utf-8"
    )
    again = cli("check", "a.py")  # the cache knows the settings changed
    assert again.code == 0 and "the project requires Python 3.12 or newer" in again.out
