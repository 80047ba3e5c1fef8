"""docs/rules.md is generated from the rule docstrings; keep both honest."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from unleak.docs import (
    REQUIRED_SECTIONS,
    github_slug,
    main,
    missing_sections,
    render_rules_markdown,
    rule_heading,
)
from unleak.rules import ALL_RULES
from unleak.rules.base import Rule

ROOT = Path(__file__).resolve().parents[1]
RULES_MD = ROOT / "docs" / "rules.md"
FENCE = re.compile(r"```python\n(.*?)```", re.S)


def rule_id(rule: Rule) -> str:
    return rule.code


def test_rules_md_is_current() -> None:
    assert RULES_MD.read_text(encoding="utf-8") == render_rules_markdown(), (
        "docs/rules.md is stale: run `python -m unleak.docs`"
    )


def test_check_flag(tmp_path: Path) -> None:
    out = tmp_path / "rules.md"
    assert main(["--check", "--output", str(out)]) == 1  # missing counts as stale
    assert main(["--output", str(out)]) == 0
    assert main(["--check", "--output", str(out)]) == 0
    out.write_text(out.read_text(encoding="utf-8") + "edited\n", encoding="utf-8")
    assert main(["--check", "--output", str(out)]) == 1


def test_rule_codes_and_names_are_unique() -> None:
    assert len({r.code for r in ALL_RULES}) == len(ALL_RULES)
    assert len({r.name for r in ALL_RULES}) == len(ALL_RULES)


@pytest.mark.parametrize("rule", ALL_RULES, ids=rule_id)
def test_docstring_has_all_sections(rule: Rule) -> None:
    assert rule.summary, f"{rule.code}: the docstring's first line is the summary"
    assert missing_sections(rule) == [], f"{rule.code} lacks sections"
    titles = re.findall(r"^## (.+)$", rule.doc, re.M)
    assert [t for t in titles if t in REQUIRED_SECTIONS] == list(REQUIRED_SECTIONS)


@pytest.mark.parametrize("rule", ALL_RULES, ids=rule_id)
def test_example_is_python_code(rule: Rule) -> None:
    examples = FENCE.findall(rule.section("Example"))
    assert examples, f"{rule.code}: ## Example needs a ```python block"
    if rule.code == "UL001":
        return  # its example is a syntax error on purpose
    for code in examples + FENCE.findall(rule.section("Use instead")):
        ast.parse(code)


@pytest.mark.parametrize("rule", ALL_RULES, ids=rule_id)
def test_url_anchor_matches_heading(rule: Rule) -> None:
    anchor = rule.url.partition("#")[2]
    assert anchor == github_slug(rule_heading(rule))
    assert f"\n## {rule_heading(rule)}\n" in render_rules_markdown()


def test_github_slug() -> None:
    assert github_slug("UL101 not-released") == "ul101-not-released"
    assert github_slug("What it does?") == "what-it-does"


@pytest.mark.parametrize("rule", ALL_RULES, ids=rule_id)
def test_docs_say_what_the_rule_does_not_report(rule: Rule) -> None:
    # A reader deciding whether a silence is a miss needs to know what is left out on purpose.
    assert "does not report" in rule.section("What it does"), (
        f"{rule.code}: 'What it does' must say what it does not report and why"
    )
