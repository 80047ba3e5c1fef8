"""Multi-root workspaces: each document gets the settings of its own workspace folder (its
folder's pyproject.toml and the client's settings scoped to that folder), also for folders
added or removed while the server runs."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from lsprotocol import types

from .conftest import Session, Starter, wait_until
from .test_lsp_diagnostics import LEAKY

pytestmark = pytest.mark.asyncio


def folders_changed(
    added: tuple[Path, ...] = (), removed: tuple[Path, ...] = ()
) -> types.DidChangeWorkspaceFoldersParams:
    return types.DidChangeWorkspaceFoldersParams(
        types.WorkspaceFoldersChangeEvent(
            added=[types.WorkspaceFolder(f.as_uri(), f.name) for f in added],
            removed=[types.WorkspaceFolder(f.as_uri(), f.name) for f in removed],
        )
    )


def project(root: Path, table: str | None) -> Path:
    root.mkdir(parents=True)
    if table is not None:
        (root / "pyproject.toml").write_text(f"[tool.unleak]\n{table}\n")
    return root


async def severities(s: Session, uri: str, after: int = 0) -> list[types.DiagnosticSeverity]:
    return [d.severity for d in await s.diagnostics(uri, 1, after) if d.severity is not None]


async def settles_at(
    s: Session, uri: str, after: int, expected: list[types.DiagnosticSeverity]
) -> list[types.DiagnosticSeverity]:
    """The severities of the last publication for ``uri`` once it shows ``expected`` (a
    document opened while folders change may first be published under the old folders)."""
    latest: list[types.DiagnosticSeverity] = []

    def settled() -> bool:
        found = [p for p in s.published[after:] if p.uri == uri and p.version == 1]
        latest[:] = [d.severity for d in found[-1].diagnostics if d.severity] if found else []
        return bool(found) and latest == expected

    # On a timeout the caller's assertion shows what was published last.
    with contextlib.suppress(AssertionError):
        await wait_until(settled, f"{uri} published with {expected}")
    return latest


async def test_each_folder_has_its_own_pyproject(start: Starter, tmp_path: Path) -> None:
    one = project(tmp_path / "one", 'ignore = ["UL101"]')
    two = project(tmp_path / "two", 'select = ["UL101"]\nseverity = { UL101 = "error" }')
    elsewhere = project(tmp_path / "elsewhere", None)
    s = await start(folders=[one, two])
    uris = [(d / "pkg.py").as_uri() for d in (one, two, elsewhere)]
    for uri in uris:
        s.open(uri, LEAKY)
    assert await severities(s, uris[0]) == []
    assert await severities(s, uris[1]) == [types.DiagnosticSeverity.Error]
    assert await severities(s, uris[2]) == [types.DiagnosticSeverity.Warning]
    # A client setting without a scope applies in both folders, over both files.
    seen = len(s.published)
    s.client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"unleak": {"ignore": []}})
    )
    assert await severities(s, uris[0], seen) == [types.DiagnosticSeverity.Warning]
    assert await severities(s, uris[1], seen) == [types.DiagnosticSeverity.Error]


async def test_folder_settings_and_changing_folders(start: Starter, tmp_path: Path) -> None:
    one = project(tmp_path / "one", None)
    two = project(tmp_path / "two", None)
    three = project(tmp_path / "three", 'severity = { UL101 = "info" }')
    s = await start(
        folders=[one, two],
        configuration={
            "": {"unleak": {}},
            one.as_uri(): {"unleak": {"severity": {"UL101": "hint"}}},
            two.as_uri(): {"unleak": {"ignore": ["UL1"]}},
            # Not a workspace folder yet: the server does not ask for it.
            three.as_uri(): {"unleak": {"severity": {"UL101": "error"}}},
        },
    )
    uri_one, uri_two, uri_three = [(d / "m.py").as_uri() for d in (one, two, three)]
    for uri in (uri_one, uri_two, uri_three):
        s.open(uri, LEAKY)
    assert await severities(s, uri_one) == [types.DiagnosticSeverity.Hint]
    assert await severities(s, uri_two) == []
    # Outside the folders: the global settings over its own pyproject.toml.
    assert await severities(s, uri_three) == [types.DiagnosticSeverity.Information]
    # The folder is added: its client settings now apply (and win over the file).
    seen = len(s.published)
    s.client.workspace_did_change_workspace_folders(folders_changed(added=(three,)))
    assert await severities(s, uri_three, seen) == [types.DiagnosticSeverity.Error]
    assert await severities(s, uri_one, seen) == [types.DiagnosticSeverity.Hint]
    # A notebook cell in a folder gets that folder's settings too.
    cell = f"vscode-notebook-cell:{(one / 'nb.ipynb').as_posix()}#W0sZmlsZQ%3D%3D"
    s.open(cell, LEAKY)
    assert await severities(s, cell) == [types.DiagnosticSeverity.Hint]
    # A folder is removed: its documents fall back to the global settings.
    seen = len(s.published)
    s.client.workspace_did_change_workspace_folders(folders_changed(removed=(two,)))
    assert await severities(s, uri_two, seen) == [types.DiagnosticSeverity.Warning]
    assert await severities(s, uri_three, seen) == [types.DiagnosticSeverity.Error]


async def test_nested_folders_and_uri_spellings(start: Starter, tmp_path: Path) -> None:
    outer = project(tmp_path / "outer", None)
    inner = project(outer / "c++ lib", None)
    # The client spells the folder differently from the documents in it (`+` unescaped, a
    # trailing slash), as clients built on different URI libraries do.
    inner_uri = inner.as_uri().replace("%2B", "+") + "/"
    assert inner_uri != inner.as_uri() + "/"
    s = await start(
        folders=[outer],
        configuration={
            "": {"unleak": {}},
            outer.as_uri(): {"unleak": {"severity": {"UL101": "hint"}}},
            inner_uri: {"unleak": {"severity": {"UL101": "error"}}},
        },
    )
    seen = len(s.published)
    s.client.workspace_did_change_workspace_folders(
        types.DidChangeWorkspaceFoldersParams(
            types.WorkspaceFoldersChangeEvent(
                added=[types.WorkspaceFolder(inner_uri, "inner")], removed=[]
            )
        )
    )
    uri_outer, uri_inner = (outer / "a.py").as_uri(), (inner / "b.py").as_uri()
    s.open(uri_outer, LEAKY)
    s.open(uri_inner, LEAKY)
    # The innermost folder wins.
    hint, error = [types.DiagnosticSeverity.Hint], [types.DiagnosticSeverity.Error]
    assert await settles_at(s, uri_outer, seen, hint) == hint
    assert await settles_at(s, uri_inner, seen, error) == error
    # Removed under yet another spelling (escaped, no trailing slash): it is gone all the same,
    # and its documents get the outer folder's settings again.
    seen = len(s.published)
    s.client.workspace_did_change_workspace_folders(
        types.DidChangeWorkspaceFoldersParams(
            types.WorkspaceFoldersChangeEvent(
                added=[], removed=[types.WorkspaceFolder(inner.as_uri(), "inner")]
            )
        )
    )
    assert await settles_at(s, uri_inner, seen, hint) == hint
