"""Expanding paths into files: .gitignore, exclude patterns, default skips, explicit files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from unleak.cli.discovery import discover
from unleak.config import Config, load_config

from .helpers import write


def found(root: Path, *paths: str, config: Config | None = None) -> list[str]:
    config = config or Config(root=root)
    result = discover([str(root / p) for p in paths or (".",)], config)
    return [Path(f).relative_to(root).as_posix() for f in result.files]


def test_walks_python_files_and_skips_tool_directories(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "a.py": "",
            "b.pyi": "",
            "notes.txt": "",
            "script": "#!/usr/bin/env python\n",
            "pkg/__init__.py": "",
            "pkg/deep/er/mod.py": "",
            ".venv/lib/x.py": "",
            "venv/x.py": "",
            ".git/hooks/x.py": "",
            "pkg/__pycache__/x.py": "",
            "node_modules/x.py": "",
            "build/x.py": "",
            "dist/x.py": "",
            ".tox/x.py": "",
            "lib/site-packages/x.py": "",
            "demo.egg-info/x.py": "",
        },
    )
    assert found(tmp_path) == ["a.py", "b.pyi", "pkg/__init__.py", "pkg/deep/er/mod.py"]


def test_gitignore_files_are_honoured_at_every_level(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            ".gitignore": "gen/\n*_pb2.py\n!keep_pb2.py\n",
            "a.py": "",
            "gen/x.py": "",
            "msg_pb2.py": "",
            "keep_pb2.py": "",
            "sub/.gitignore": "local.py\n/anchored.py\n",
            "sub/local.py": "",
            "sub/anchored.py": "",
            "sub/more/anchored.py": "",
            "sub/more/other_pb2.py": "",
            "other/local.py": "",
        },
    )
    assert found(tmp_path) == [
        "a.py",
        "keep_pb2.py",
        "other/local.py",
        "sub/more/anchored.py",
    ]


def test_invalid_gitignore_lines_are_skipped(tmp_path: Path) -> None:
    # `[z-a]` is a bad regex range: pathspec raises re.error for it, not ValueError.
    gitignore = "!\nskip.py\ntrailing\\\n[z-a].py\n"
    write(tmp_path, {".gitignore": gitignore, "a.py": "", "skip.py": ""})
    assert found(tmp_path) == ["a.py"]


def test_gitignore_above_the_checked_directory_applies(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    write(tmp_path, {".gitignore": "*_gen.py\n", "src/a.py": "", "src/a_gen.py": ""})
    assert found(tmp_path, "src") == ["src/a.py"]


def test_a_directory_named_explicitly_is_walked_when_a_gitignore_above_ignores_it(
    tmp_path: Path,
) -> None:
    """As ruff does, and as for a file named explicitly: pyenv's own .gitignore ignores its
    `/versions`, the standard library with them, and `unleak check` on that library found
    nothing. The .gitignore files inside it, and the other ones above it, still apply."""
    (tmp_path / ".git").mkdir()
    write(
        tmp_path,
        {
            ".gitignore": "/versions\n",
            "versions/.gitignore": "*_old.py\n",
            "versions/lib/.gitignore": "*_gen.py\n",
            "versions/lib/a.py": "",
            "versions/lib/a_gen.py": "",
            "versions/lib/a_old.py": "",
            "versions/lib/pkg/b.py": "",
            "top.py": "",
        },
    )
    assert found(tmp_path, "versions/lib") == ["versions/lib/a.py", "versions/lib/pkg/b.py"]
    # Walking the repository itself, the ignored directory stays out.
    assert found(tmp_path) == ["top.py"]


def test_config_exclude_and_extend_exclude(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": '[tool.unleak]\nexclude = ["tests/fixtures"]\n'
            'extend-exclude = ["*_old.py", "/top.py"]\n',
            "src/a.py": "",
            "src/b_old.py": "",
            "top.py": "",
            "src/top.py": "",
            "tests/fixtures/f.py": "",
            "tests/test_a.py": "",
        },
    )
    config = load_config(tmp_path)
    assert found(tmp_path, config=config) == ["src/a.py", "src/top.py", "tests/test_a.py"]
    # Explicit files are checked unless the configuration excludes them.
    assert found(tmp_path, "tests/fixtures/f.py", "src/a.py", config=config) == ["src/a.py"]
    assert found(tmp_path, "tests/fixtures", config=config) == []


def test_explicit_files_are_checked_even_when_skipped_or_gitignored(tmp_path: Path) -> None:
    write(tmp_path, {".gitignore": "ignored.py\n", "ignored.py": "", "build/x.py": "", "s": ""})
    assert found(tmp_path, "ignored.py", "build/x.py", "s") == ["build/x.py", "ignored.py", "s"]


def test_duplicates_are_checked_once_in_sorted_order(tmp_path: Path) -> None:
    write(tmp_path, {"b.py": "", "a.py": "", "d/c.py": ""})
    assert found(tmp_path, "b.py", ".", "d", "a.py") == ["a.py", "b.py", "d/c.py"]


def test_missing_paths_are_reported(tmp_path: Path) -> None:
    write(tmp_path, {"a.py": ""})
    result = discover([str(tmp_path / "a.py"), "no/such.py"], Config(root=tmp_path))
    assert result.missing == ["no/such.py"]
    assert [Path(f).name for f in result.files] == ["a.py"]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_symlink_loops_do_not_hang(tmp_path: Path) -> None:
    write(tmp_path, {"pkg/a.py": ""})
    os.symlink(tmp_path, tmp_path / "pkg" / "loop", target_is_directory=True)
    assert found(tmp_path) == ["pkg/a.py"]
