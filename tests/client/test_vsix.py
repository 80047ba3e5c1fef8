"""The built VS Code extension (``unleak-<version>.vsix``, made by ``scripts/setup.sh``): what
it contains, and that its bundled server starts on a bare Python with nothing but the bundled
libraries, through the same launcher the extension runs, and answers LSP."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
import unleak
from pythons import python_or_skip

ROOT = Path(__file__).resolve().parents[2]
VSIX = ROOT / f"unleak-{unleak.__version__}.vsix"
NODE_BUILTINS = {
    "assert", "buffer", "child_process", "crypto", "events", "fs", "net", "os", "path",
    "process", "stream", "string_decoder", "tty", "url", "util", "zlib",
}  # fmt: skip
PURE_PYTHON_TAGS = re.compile(r"^Tag: (py3|py2\.py3)-none-any$", re.M)

needs_vsix = pytest.mark.skipif(
    not VSIX.is_file(), reason=f"{VSIX.name} not built (bash scripts/setup.sh builds it)"
)


def test_extension_version_is_the_python_package_version() -> None:
    manifest = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    assert manifest["version"] == unleak.__version__


@pytest.fixture(scope="module")
def extension(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The .vsix unpacked; its ``extension/`` folder is what VS Code installs."""
    target = tmp_path_factory.mktemp("vsix")
    with zipfile.ZipFile(VSIX) as archive:
        archive.extractall(target)
    return target / "extension"


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


@needs_vsix
def test_manifest(extension: Path) -> None:
    assert (extension.parent / "extension.vsixmanifest").is_file()
    manifest = json.loads((extension / "package.json").read_text(encoding="utf-8"))
    assert manifest["name"] == "unleak"
    assert manifest["version"] == unleak.__version__
    assert manifest["main"] == "./dist/extension.js"
    assert "onLanguage:python" in manifest["activationEvents"]
    commands = {c["command"] for c in manifest["contributes"]["commands"]}
    assert commands == {
        "unleak.restart", "unleak.showLogs", "unleak.fixAll", "unleak.traceRun", "unleak.showRule",
    }  # fmt: skip
    settings = manifest["contributes"]["configuration"]["properties"]
    assert {
        "unleak.interpreter", "unleak.importStrategy", "unleak.trace.server",
        "unleak.trace.command", "unleak.trace.cwd", "unleak.showSyntaxErrors",
    } <= set(settings)  # fmt: skip


@needs_vsix
def test_the_bundle_needs_only_vscode_and_node(extension: Path) -> None:
    bundle = (extension / "dist" / "extension.js").read_text(encoding="utf-8")
    required = set(re.findall(r"require\(\"([^\"]+)\"\)", bundle))
    assert "vscode" in required
    others = {r.removeprefix("node:") for r in required} - {"vscode"}
    assert others <= NODE_BUILTINS, f"not bundled: {others - NODE_BUILTINS}"


@needs_vsix
def test_contents_are_the_bundle_and_the_bundled_libraries_only(extension: Path) -> None:
    files = _files(extension)
    top = {f.split(os.sep)[0] for f in files}
    assert top == {"package.json", "readme.md", "LICENSE.txt", "dist", "bundled", "docs"}
    # The rule documentation the diagnostics and hovers link to (opened offline).
    assert [f for f in files if f.startswith("docs")] == [os.path.join("docs", "rules.md")]
    shipped = (extension / "docs" / "rules.md").read_text(encoding="utf-8")
    assert shipped == (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert [f for f in files if f.startswith("dist")] == [os.path.join("dist", "extension.js")]
    outside_libs = [f for f in files if f.startswith("bundled") and "libs" not in f.split(os.sep)]
    assert outside_libs == [
        os.path.join("bundled", "tool", "cli.py"),
        os.path.join("bundled", "tool", "server.py"),
    ]
    for forbidden in (".ts", ".map", ".pyc", ".so", ".pyd", ".dylib"):
        assert not [f for f in files if f.endswith(forbidden)], forbidden
    for part in ("__pycache__", "node_modules", ".venv", "tests", "client"):
        assert not [f for f in files if part in f.split(os.sep)[:3]], part


@needs_vsix
def test_bundled_libraries_are_pure_python_wheels(extension: Path) -> None:
    libs = extension / "bundled" / "libs"
    packages = {p.name for p in libs.iterdir()}
    for needed in ("unleak", "pygls", "lsprotocol", "attrs", "cattrs", "pathspec"):
        assert needed in packages
    # What only Python 3.10 needs is there even when the build ran on a newer Python.
    assert {"tomli", "exceptiongroup"} <= packages
    wheels = sorted(libs.glob("*.dist-info/WHEEL"))
    assert wheels
    for wheel in wheels:
        text = wheel.read_text(encoding="utf-8")
        assert "Root-Is-Purelib: true" in text, wheel.parent.name
        assert PURE_PYTHON_TAGS.search(text), wheel.parent.name
    bundled = libs / "unleak" / "__init__.py"
    assert f'__version__ = "{unleak.__version__}"' in bundled.read_text(encoding="utf-8")


@needs_vsix
def test_every_bundled_library_is_pinned(extension: Path) -> None:
    pins = {}
    for line in (ROOT / "bundled" / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[_normalised(name)] = version.strip()
    bundled = {}
    for metadata in (extension / "bundled" / "libs").glob("*.dist-info/METADATA"):
        fields = dict(
            line.split(": ", 1) for line in metadata.read_text(encoding="utf-8").splitlines()[:5]
            if ": " in line
        )  # fmt: skip
        bundled[_normalised(fields["Name"])] = fields["Version"]
    assert bundled.pop("unleak") == unleak.__version__
    assert bundled == pins


def _normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


# --- the bundled server, started as the extension starts it ----------------------------------


# This interpreter, and the oldest supported one (3.10): a skip that says so when it is missing.
PYTHONS = ["running"] + ([] if sys.version_info[:2] == (3, 10) else ["3.10"])


def _python(which: str) -> str:
    return sys.executable if which == "running" else python_or_skip(which)


class Rpc:
    """Minimal JSON-RPC over the server's stdin/stdout (what vscode-languageclient speaks)."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.process = process
        self.next_id = 0

    def send(self, message: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def request(self, method: str, params: Any) -> int:
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        return self.next_id

    def read(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        length = None
        while True:
            line = self.process.stdout.readline()
            if not line:
                raise EOFError("the server closed its stdout")
            if line in (b"\r\n", b"\n"):
                break
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        assert length is not None
        message: dict[str, Any] = json.loads(self.process.stdout.read(length))
        return message

    def until(self, match: Any, limit: int = 200) -> dict[str, Any]:
        for _ in range(limit):
            message = self.read()
            if "id" in message and "method" in message:  # a request from the server
                self.send({"id": message["id"], "result": None})
            if match(message):
                return message
        raise AssertionError("no matching message from the server")


@needs_vsix
@pytest.mark.parametrize("which", PYTHONS)
def test_bundled_server_answers_lsp_with_only_the_bundled_libraries(
    extension: Path, which: str, tmp_path: Path
) -> None:
    python = _python(which)
    launcher = extension / "bundled" / "tool" / "server.py"
    libs = extension / "bundled" / "libs"
    # -I as the extension runs it (no PYTHONPATH, user site, current directory), and -S so
    # that not even this interpreter's site-packages (the venv's pygls) can be imported.
    where = subprocess.run(
        [python, "-I", "-S", "-c",
         "import sys; sys.path.insert(0, sys.argv[1]); import pygls, lsprotocol, unleak; "
         "print(pygls.__file__); print(lsprotocol.__file__); print(unleak.__file__)", str(libs)],
        capture_output=True, text=True, timeout=60, check=True,
    ).stdout.split()  # fmt: skip
    assert all(Path(w).is_relative_to(libs) for w in where), where

    source = tmp_path / "leaky.py"
    source.write_text("def read(p):\n    f = open(p)\n    return f.read()\n", encoding="utf-8")
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)}
    process = subprocess.Popen(
        [python, "-I", "-S", str(launcher)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        cwd=tmp_path, env=env,
    )  # fmt: skip
    try:
        rpc = Rpc(process)
        first = rpc.request(
            "initialize",
            {"processId": os.getpid(), "rootUri": tmp_path.as_uri(), "capabilities": {}},
        )
        answer = rpc.until(lambda m: m.get("id") == first)
        assert answer["result"]["serverInfo"] == {"name": "unleak", "version": unleak.__version__}
        rpc.send({"method": "initialized", "params": {}})
        rpc.send({
            "method": "textDocument/didOpen",
            "params": {"textDocument": {
                "uri": source.as_uri(), "languageId": "python", "version": 1,
                "text": source.read_text(encoding="utf-8"),
            }},
        })  # fmt: skip
        published = rpc.until(
            lambda m: (
                m.get("method") == "textDocument/publishDiagnostics"
                and m["params"]["uri"] == source.as_uri()
                and m["params"]["diagnostics"]
            )
        )
        (diagnostic,) = published["params"]["diagnostics"]
        assert diagnostic["code"] == "UL101"
        # Its rule link: the docs/rules.md inside the extension, at the rule's heading.
        docs = (extension / "docs" / "rules.md").resolve()
        assert diagnostic["codeDescription"]["href"] == f"{docs.as_uri()}#ul101-not-released"
        last = rpc.request("shutdown", None)
        assert rpc.until(lambda m: m.get("id") == last).get("result", "missing") is None
        rpc.send({"method": "exit"})
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
        for stream in (process.stdin, process.stdout, process.stderr):
            if stream is not None:
                stream.close()
    assert "Traceback" not in stderr, stderr


# --- the bundled command line, as "Trace leaks while running…" runs it ------------------------


@needs_vsix
@pytest.mark.parametrize("which", PYTHONS)
def test_bundled_cli_traces_with_only_the_bundled_libraries(
    extension: Path, which: str, tmp_path: Path
) -> None:
    python = _python(which)
    launcher = extension / "bundled" / "tool" / "cli.py"
    # -I as the extension runs it, and -S: nothing from this interpreter's site-packages.
    cli = [python, "-I", "-S", str(launcher)]
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)}
    usage = subprocess.run(
        [*cli, "trace", "--help"], capture_output=True, text=True, timeout=60, env=env, check=True
    )
    assert "unleak trace" in usage.stdout

    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text("[project]\nname = 'demo'\n", encoding="utf-8")
    (project / "leaky.py").write_text(
        "import sys\n\n\ndef read(p):\n    f = open(p)\n    return f.read()\n\n\n"
        "read(sys.argv[0])\nsys.exit(3)\n",
        encoding="utf-8",
    )
    # The traced command is a plain Python (no -S, which would skip the tracing bootstrap).
    traced = subprocess.run(
        [*cli, "trace", "--", sys.executable, "leaky.py"],
        capture_output=True, text=True, timeout=120, env=env, cwd=project,
    )  # fmt: skip
    assert traced.returncode == 3, traced.stderr  # the command's own exit code
    assert "Traceback" not in traced.stderr, traced.stderr
    report = json.loads((project / ".unleak" / "trace.json").read_text(encoding="utf-8"))
    assert report["unleak_version"] == unleak.__version__
    # The cross-check ran on the bundled engine: the leak is confirmed by UL101.
    leaks = [(lk["kind"], lk["line"], lk["status"], lk["rules"]) for lk in report["leaks"]]
    assert leaks == [("file", 5, "confirmed", ["UL101"])]
    assert "1 runtime leak site: 1 confirmed by static analysis, 0 missed." in traced.stderr
