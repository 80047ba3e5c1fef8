"""``unleak check --fix`` with the real engine's fixes on real leaky code: the fixed files
compile, re-checking finds nothing where fixes were applied, and a second run is a no-op."""

from __future__ import annotations

import json
import shutil
import warnings
from pathlib import Path

import pytest

from .helpers import RunCli, write

pytestmark = pytest.mark.engine

REPO = Path(__file__).resolve().parents[2]

# Leaks the engine offers a safe fix for; each file has nothing else to report.
LEAKY = {
    "files.py": (
        "def read(p):\n"
        "    f = open(p)\n"
        "    return f.read()\n"
        "\n"
        "\n"
        "def copy(src, dst):\n"
        "    f = open(src, 'rb')\n"
        "    data = f.read()\n"
        "    f.close()\n"
        "    with open(dst, 'wb') as out:\n"
        "        out.write(data)\n"
    ),
    "net.py": (
        "import socket\n"
        "\n"
        "\n"
        "def ping(host):\n"
        "    sock = socket.create_connection((host, 7))\n"
        "    sock.sendall(b'ping')\n"
        "    reply = sock.recv(4)\n"
        "    sock.close()\n"
        "    return reply\n"
    ),
    "locks.py": (
        "import threading\n"
        "\n"
        "\n"
        "class Counter:\n"
        "    def __init__(self):\n"
        "        self._lock = threading.Lock()\n"
        "        self.items = []\n"
        "\n"
        "    def add(self, make):\n"
        "        self._lock.acquire()\n"
        "        self.items.append(make())\n"
        "        self._lock.release()\n"
    ),
}


def compiles(path: Path) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(path.read_bytes(), str(path), "exec", dont_inherit=True)
    except SyntaxError:
        return False
    return True


def findings(cli: RunCli, *args: str, cwd: Path | None = None) -> list[dict[str, object]]:
    result = cli("check", "--no-cache", "--format", "json", *args, cwd=cwd)
    assert result.code in (0, 1), result.err
    data: list[dict[str, object]] = json.loads(result.out)
    return data


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.py"))}


def test_leaky_code_is_fixed_and_stays_fixed(cli: RunCli, project: Path) -> None:
    write(project, LEAKY)
    before = findings(cli)
    assert {item["path"] for item in before} == set(LEAKY)
    assert all(item["fix"] and item["fix"]["safe"] for item in before)  # type: ignore[index]

    result = cli("check", "--no-cache", "--fix")
    assert result.code == 0, result.out
    assert result.out == f"Fixed {len(before)} problems; 0 remaining.\n"
    for name in LEAKY:
        assert compiles(project / name), (project / name).read_text()
    assert findings(cli) == []
    assert "with open(p) as f:" in (project / "files.py").read_text()
    assert "with self._lock:" in (project / "locks.py").read_text()

    fixed = snapshot(project)
    again = cli("check", "--no-cache", "--fix")
    assert (again.code, again.out) == (0, "All checks passed!\n")
    assert snapshot(project) == fixed


@pytest.mark.parametrize(
    ("name", "encode"),
    [
        ("crlf", lambda text: text.replace("\n", "\r\n").encode()),
        ("bom", lambda text: b"\xef\xbb\xbf" + text.encode()),
        ("latin1", lambda text: ("# coding: latin-1\n# caf\xe9\n" + text).encode("latin-1")),
        ("tabs", lambda text: text.replace("    ", "\t").encode()),
    ],
)
def test_real_fixes_keep_the_file_format(
    cli: RunCli, project: Path, name: str, encode: object
) -> None:
    assert callable(encode)
    source: bytes = encode(LEAKY["files.py"])
    write(project, {"a.py": source})
    assert cli("check", "--no-cache", "--fix").code == 0
    fixed = (project / "a.py").read_bytes()
    assert compiles(project / "a.py")
    assert findings(cli) == []
    if name == "crlf":
        assert fixed.count(b"\r\n") == fixed.count(b"\n")
    elif name == "bom":
        assert fixed.startswith(b"\xef\xbb\xbf") and b"\r" not in fixed
    elif name == "latin1":
        assert fixed.startswith("# coding: latin-1\n# caf\xe9\n".encode("latin-1"))
    else:
        assert b"\twith open(p) as f:\n\t\treturn f.read()\n" in fixed


def test_the_example_project(cli: RunCli, tmp_path: Path) -> None:
    root = tmp_path / "examples"
    shutil.copytree(REPO / "examples", root)
    before = findings(cli, "--no-config", cwd=root)
    fixable = [item for item in before if item["fix"] and item["fix"]["safe"]]  # type: ignore[index]
    assert fixable

    result = cli("check", "--no-cache", "--no-config", "--fix", cwd=root)
    assert f"Fixed {len(fixable)} problems; {len(before) - len(fixable)} remaining." in result.out
    assert all(compiles(p) for p in root.rglob("*.py"))
    after = findings(cli, "--no-config", cwd=root)
    assert len(after) == len(before) - len(fixable)
    assert not any(item["fix"] and item["fix"]["safe"] for item in after)  # type: ignore[index]

    fixed = snapshot(root)
    again = cli("check", "--no-cache", "--no-config", "--fix", cwd=root)
    assert "Fixed" not in again.out
    assert snapshot(root) == fixed


def test_the_rule_fixtures(cli: RunCli, tmp_path: Path) -> None:
    """Every rule's fixture files: what compiled still compiles, a second run is a no-op, and
    what is still safely fixable lies in files that do not compile (never fixed)."""
    root = tmp_path / "fixtures"
    shutil.copytree(REPO / "tests" / "fixtures", root)
    compiled = {p for p in root.rglob("*.py") if compiles(p)}
    original = snapshot(root)

    result = cli("check", "--no-cache", "--no-config", "--fix", cwd=root)
    assert result.out.splitlines()[-2].startswith("Fixed "), result.out
    assert [p for p in compiled if not compiles(p)] == []
    changed = {k for k, v in snapshot(root).items() if original[k] != v}
    assert changed <= {str(p.relative_to(root)) for p in compiled}

    left = findings(cli, "--no-config", cwd=root)
    for item in left:
        if item["fix"] and item["fix"]["safe"]:  # type: ignore[index]
            assert root / str(item["path"]) not in compiled, item

    fixed = snapshot(root)
    again = cli("check", "--no-cache", "--no-config", "--fix", cwd=root)
    assert "Fixed" not in again.out
    assert snapshot(root) == fixed
