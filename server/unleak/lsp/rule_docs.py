"""Links to a rule's full documentation that work offline: a ``file:`` URI of the
``docs/rules.md`` installed with the server, at the rule's heading.

That file is found next to the package: ``<checkout>/docs/rules.md`` for a source checkout
(``server/unleak``), ``<extension>/docs/rules.md`` for the server bundled in the VS Code
extension (``bundled/libs/unleak``). Where there is none (a wheel installed with pip), the
diagnostics and hovers carry no link. The VS Code
extension turns these links into a command that opens the rule in a Markdown preview.
"""

from __future__ import annotations

import functools
from pathlib import Path

import unleak
from unleak.rules.base import Rule

DOCS_RELATIVE = Path("docs") / "rules.md"
# How far above the package the folder holding docs/ may be (checkout: 2, extension: 3).
_LEVELS = range(2, 4)


@functools.cache
def installed_docs() -> Path | None:
    """The ``docs/rules.md`` shipped with this unleak, if there is one."""
    package = Path(unleak.__file__).resolve().parent
    for level in _LEVELS:
        candidate = package.parents[level - 1] / DOCS_RELATIVE
        if candidate.is_file():
            return candidate
    return None


def anchor(rule: Rule) -> str:
    """The rule's heading anchor in docs/rules.md (``ul101-not-released``)."""
    return rule.url.partition("#")[2] or f"{rule.code.lower()}-{rule.name}"


def rule_link(rule: Rule) -> str | None:
    """``file:///…/docs/rules.md#ul101-not-released``, or None without installed docs."""
    docs = installed_docs()
    if docs is None:
        return None
    return f"{docs.as_uri()}#{anchor(rule)}"


def rule_line(rule: Rule) -> str:
    """One line of Markdown about the rule, with a link to its full text."""
    link = rule_link(rule)
    more = f" [Full rule]({link})" if link else ""
    return f"**{rule.code}** `{rule.name}`: {rule.summary}{more}"
