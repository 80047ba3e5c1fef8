"""Links to the rules' documentation work offline: a file: URI of the docs/rules.md installed
with the server, at the rule's heading; none at all where no docs are installed."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from unleak.docs import github_slug, rule_heading
from unleak.lsp import rule_docs
from unleak.rules import ALL_RULES, RULES_BY_CODE

from .conftest import Starter
from .test_lsp_diagnostics import LEAKY, URI

ROOT = Path(__file__).resolve().parents[2]


def target(link: str) -> tuple[Path, str]:
    parsed = urlparse(link)
    assert parsed.scheme == "file", link
    return Path(unquote(parsed.path)), parsed.fragment


@pytest.mark.asyncio
async def test_diagnostic_links_to_the_installed_rules_md(start: Starter) -> None:
    s = await start()
    s.open(URI, LEAKY)
    (d,) = await s.diagnostics(URI, 1)
    assert d.code_description is not None
    path, fragment = target(d.code_description.href)
    # From a checkout: its own docs/rules.md, which has that heading.
    assert path == ROOT / "docs" / "rules.md"
    assert fragment == "ul101-not-released"
    assert "\n## UL101 not-released\n" in path.read_text(encoding="utf-8")
    assert "github.com" not in d.code_description.href


def test_every_rule_link_is_a_heading_of_the_installed_docs() -> None:
    docs = rule_docs.installed_docs()
    assert docs is not None
    headings = {
        github_slug(line[3:])
        for line in docs.read_text(encoding="utf-8").splitlines()
        if line.startswith("## ")
    }
    for rule in ALL_RULES:
        link = rule_docs.rule_link(rule)
        assert link is not None
        path, fragment = target(link)
        assert path == docs and fragment in headings
        assert fragment == github_slug(rule_heading(rule))


def test_no_installed_docs_means_no_link(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rule_docs, "installed_docs", lambda: None)
    rule = RULES_BY_CODE["UL101"]
    assert rule_docs.rule_link(rule) is None
    assert rule_docs.rule_line(rule) == f"**UL101** `not-released`: {rule.summary}"


def test_docs_found_next_to_a_bundled_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The layout of the VS Code extension: <ext>/bundled/libs/unleak, <ext>/docs/rules.md.
    package = tmp_path / "bundled" / "libs" / "unleak"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "rules.md").write_text("# Rules\n")
    monkeypatch.setattr(rule_docs.unleak, "__file__", str(package / "__init__.py"))
    rule_docs.installed_docs.cache_clear()
    try:
        assert rule_docs.installed_docs() == tmp_path / "docs" / "rules.md"
    finally:
        rule_docs.installed_docs.cache_clear()
