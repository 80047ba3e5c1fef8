"""Settings: initializationOptions, workspace/didChangeConfiguration (pushed and pulled with
workspace/configuration), multi-root folders, and pyproject.toml [tool.unleak]."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types

from .conftest import Starter
from .test_lsp_diagnostics import LEAKY, URI

pytestmark = pytest.mark.asyncio


def did_change_configuration(settings: object) -> types.DidChangeConfigurationParams:
    return types.DidChangeConfigurationParams(settings=settings)


async def test_initialization_options(start: Starter) -> None:
    s = await start(init_options={"ignore": ["UL101"], "select": ["XX9"], "bogus": 1})
    s.open(URI, LEAKY)
    assert await s.diagnostics(URI, 1) == []
    await s.log_containing("unknown rule code or prefix 'XX9'")
    await s.log_containing("unknown setting 'bogus'")


async def test_did_change_configuration_pushed(start: Starter) -> None:
    s = await start(init_options={"severity": {"UL1": "hint"}})
    s.open(URI, LEAKY)
    (d,) = await s.diagnostics(URI, 1)
    assert d.severity == types.DiagnosticSeverity.Hint
    seen = len(s.published)
    s.client.workspace_did_change_configuration(
        did_change_configuration({"unleak": {"severity": {"UL101": "error"}}})
    )
    (d,) = await s.diagnostics(URI, 1, after=seen)
    assert d.severity == types.DiagnosticSeverity.Error
    seen = len(s.published)
    s.client.workspace_did_change_configuration(did_change_configuration({"enable": False}))
    assert await s.diagnostics(URI, 1, after=seen) == []


CACHED = (
    "import functools\n\n\nclass Repo:\n    @functools.cache\n"
    "    def blob(self, sha):\n        return sha\n"
)


async def test_extend_select_turns_on_a_rule_that_is_off_by_default(start: Starter) -> None:
    s = await start()
    s.open(URI, CACHED)
    assert await s.diagnostics(URI, 1) == []
    seen = len(s.published)
    s.client.workspace_did_change_configuration(
        did_change_configuration({"unleak": {"extendSelect": ["UL109"]}})
    )
    (d,) = await s.diagnostics(URI, 1, after=seen)
    assert d.code == "UL109"


async def test_configuration_pulled_per_folder(start: Starter, tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    s = await start(
        folders=[one, two],
        configuration={
            "": {"unleak": {"severity": {"UL101": "error"}}},
            two.as_uri(): {"unleak": {"ignore": ["UL1"]}},
        },
    )
    uri_one, uri_two = (one / "a.py").as_uri(), (two / "b.py").as_uri()
    s.open(uri_one, LEAKY)
    s.open(uri_two, LEAKY)
    (d,) = await s.diagnostics(uri_one, 1)
    assert d.severity == types.DiagnosticSeverity.Error
    assert await s.diagnostics(uri_two, 1) == []
    # The client's settings change: the server pulls them again.
    s.client.set_configuration({"unleak": {"select": ["UL101"]}}, scope_uri=two.as_uri())
    seen = len(s.published)
    s.client.workspace_did_change_configuration(did_change_configuration(None))
    (d,) = await s.diagnostics(uri_two, 1, after=seen)
    assert d.code == "UL101" and d.severity == types.DiagnosticSeverity.Error


async def test_pyproject_table_and_its_changes(start: Starter, tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "pkg").mkdir(parents=True)
    pyproject = project / "pyproject.toml"
    pyproject.write_text('[tool.unleak]\nignore = ["UL101"]\n')
    uri = (project / "pkg" / "mod.py").as_uri()
    s = await start(folders=[project])
    s.open(uri, LEAKY)
    assert await s.diagnostics(uri, 1) == []
    # Client settings win over the file.
    seen = len(s.published)
    s.client.workspace_did_change_configuration(did_change_configuration({"ignore": []}))
    assert len(await s.diagnostics(uri, 1, after=seen)) == 1
    seen = len(s.published)
    s.client.workspace_did_change_configuration(did_change_configuration({}))
    assert await s.diagnostics(uri, 1, after=seen) == []
    # The file changes (a watched-file event): open documents are analysed again.
    pyproject.write_text('[tool.unleak]\nseverity = { UL101 = "error" }\n')
    seen = len(s.published)
    s.client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(pyproject.as_uri(), types.FileChangeType.Changed)]
        )
    )
    (d,) = await s.diagnostics(uri, 1, after=seen)
    assert d.severity == types.DiagnosticSeverity.Error
    # A broken file is reported and the defaults apply.
    pyproject.write_text("[tool.unleak]\nselect = 3\n")
    seen = len(s.published)
    s.client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(pyproject.as_uri(), types.FileChangeType.Changed)]
        )
    )
    (d,) = await s.diagnostics(uri, 1, after=seen)
    assert d.severity == types.DiagnosticSeverity.Warning
    await s.log_containing("using the default settings")


# Leaks only if setblocking() raises: a finding of the 'unlikely' severity.
UNLIKELY = """\
import socket


def listener():
    s = socket.socket()
    s.setblocking(False)
    return s
"""


async def test_unlikely_severity_setting(start: Starter, tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    pyproject = project / "pyproject.toml"
    pyproject.write_text('[tool.unleak]\nunlikely-severity = { UL102 = "hint" }\n')
    uri = (project / "net.py").as_uri()
    s = await start(folders=[project])
    s.open(uri, UNLIKELY)
    (d,) = await s.diagnostics(uri, 1)
    assert (d.code, d.severity) == ("UL102", types.DiagnosticSeverity.Hint)
    # The client's entry wins over the project's, per code or prefix.
    seen = len(s.published)
    s.client.workspace_did_change_configuration(
        did_change_configuration({"unleak": {"unlikelySeverity": {"UL1": "warning"}}})
    )
    (d,) = await s.diagnostics(uri, 1, after=seen)
    assert d.severity == types.DiagnosticSeverity.Warning
    # Unset again: the project's entry applies.
    seen = len(s.published)
    s.client.workspace_did_change_configuration(
        did_change_configuration({"unleak": {"unlikelySeverity": None}})
    )
    (d,) = await s.diagnostics(uri, 1, after=seen)
    assert d.severity == types.DiagnosticSeverity.Hint
    # Without either, such findings are information.
    pyproject.write_text("[tool.unleak]\n")
    seen = len(s.published)
    s.client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(pyproject.as_uri(), types.FileChangeType.Changed)]
        )
    )
    (d,) = await s.diagnostics(uri, 1, after=seen)
    assert d.severity == types.DiagnosticSeverity.Information
    seen = len(s.published)
    s.client.workspace_did_change_configuration(
        did_change_configuration({"unleak": {"unlikelySeverity": {"UL102": "loud"}}})
    )
    await s.log_containing("unknown severity 'loud'")
