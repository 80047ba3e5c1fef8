"""tests/pythons.py finds the other Pythons where pyenv keeps them, wherever that is, and a
missing one is a skip that names it (a failure under CI when CI must have it)."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pythons import find_python, python_or_skip


def _fake_python(path: Path, version: str) -> Path:
    """An executable that answers the version question as a Python `version` would."""
    path.parent.mkdir(parents=True)
    path.write_text(f'#!/bin/sh\necho "{version} $0"\n', encoding="utf-8")
    path.chmod(0o755)
    return path


@pytest.fixture
def no_pythons(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """No Python on PATH, no pyenv, an empty home; the lookup cache forgotten before and
    after."""
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setenv("HOME", str(empty))
    monkeypatch.delenv("PYENV_ROOT", raising=False)
    monkeypatch.setattr(sys, "executable", "")
    find_python.cache_clear()
    yield tmp_path
    find_python.cache_clear()


def test_pythons_are_found_under_pyenv_root(
    no_pythons: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = _fake_python(no_pythons / "pyenv" / "versions" / "3.13.9" / "bin" / "python3.13", "3.13")
    monkeypatch.setenv("PYENV_ROOT", str(no_pythons / "pyenv"))
    assert find_python("3.13") == str(fake)


def test_pythons_are_found_where_pyenv_root_says(
    no_pythons: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = _fake_python(
        no_pythons / "elsewhere" / "versions" / "3.13.1" / "bin" / "python3.13", "3.13"
    )
    pyenv = _fake_python(no_pythons / "bin" / "pyenv", "")
    pyenv.write_text(f"#!/bin/sh\necho {no_pythons / 'elsewhere'}\n", encoding="utf-8")
    monkeypatch.setenv("PATH", str(pyenv.parent))
    assert find_python("3.13") == str(fake)


def test_pythons_are_found_under_the_home_pyenv_last(
    no_pythons: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = no_pythons / "home"
    old = _fake_python(home / ".pyenv" / "versions" / "3.10.9" / "bin" / "python3.10", "3.10")
    new = _fake_python(home / ".pyenv" / "versions" / "3.10.13" / "bin" / "python3.10", "3.10")
    monkeypatch.setenv("HOME", str(home))
    assert find_python("3.10") == str(new) != str(old)  # 3.10.13 is newer than 3.10.9
    # $PYENV_ROOT comes first.
    find_python.cache_clear()
    first = _fake_python(no_pythons / "root" / "versions" / "3.10.1" / "bin" / "python3.10", "3.10")
    monkeypatch.setenv("PYENV_ROOT", str(no_pythons / "root"))
    assert find_python("3.10") == str(first)


def test_a_python_of_another_version_is_not_taken(
    no_pythons: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    liar = _fake_python(no_pythons / "bin" / "python3.13", "3.12")
    monkeypatch.setenv("PATH", str(liar.parent))
    assert find_python("3.13") is None


def test_a_missing_interpreter_is_a_skip_with_a_reason(
    no_pythons: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"Python 3\.13 is not installed.*PYENV_ROOT"):
        python_or_skip("3.13", required_under_ci=True)


def test_under_ci_a_missing_required_interpreter_fails(
    no_pythons: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=r"Python 3\.13 is not installed"):
        python_or_skip("3.13", required_under_ci=True)
    # One CI need not have is still a skip.
    with pytest.raises(pytest.skip.Exception, match=r"Python 3\.6 is not installed"):
        python_or_skip("3.6")


# A string literal naming pyenv's directory or its variable: code that looks there itself.
LOOKS_UNDER_PYENV = re.compile(r"""["'][^"'\n]*(\.pyenv|PYENV_ROOT)[^"'\n]*["']""")


def test_every_test_finds_pythons_here() -> None:
    """No test looks under ~/.pyenv (or any pyenv root) by itself."""
    tests = Path(__file__).resolve().parent
    own = {tests / "pythons.py", Path(__file__).resolve()}
    offenders = [
        str(p.relative_to(tests))
        for p in sorted(tests.rglob("*.py"))
        if p not in own
        and "fixtures" not in p.parts
        and LOOKS_UNDER_PYENV.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "use pythons.find_python / python_or_skip"
