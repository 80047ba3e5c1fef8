"""Hover: over a flagged range, this leak's story (what, acquired where, which path, the
fix) and a line about its rule; over a code in a ``# noqa:`` (or ``# unleak: ignore[...]``)
comment, that rule; elsewhere, over a resource name, where it is released (see
``hover_resources``)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from lsprotocol import types

from unleak.findings.model import Finding, Fix
from unleak.lsp.convert import span_contains
from unleak.lsp.hover_resources import ResourceHovers
from unleak.lsp.rule_docs import rule_line
from unleak.lsp.runtime import leak_markdown, leak_range

if TYPE_CHECKING:
    from unleak.lsp.documents import Analysis
    from unleak.lsp.server import UnleakServer
    from unleak.rules.base import Rule

_SUPPRESSION = re.compile(
    r"#\s*noqa:\s*(?P<noqa>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*)"
    r"|#\s*unleak:\s*ignore\[(?P<ignore>[^\]]*)\]",
    re.IGNORECASE,
)
_CODE = re.compile(r"[A-Z]+[0-9]+", re.IGNORECASE)


def rule_markdown(rule: Rule) -> str:
    """A rule on its own (hovering its code in a suppression comment): what it does, and a
    link to its full text."""
    parts = [rule_line(rule)]
    body = rule.section("What it does")
    if body:
        parts.append(_unwrap(body))
    return "\n\n".join(parts)


def _unwrap(text: str) -> str:
    """Docstring paragraphs with their hard line breaks joined (lists kept)."""
    out: list[str] = []
    for paragraph in text.split("\n\n"):
        lines = paragraph.splitlines()
        if any(line.lstrip().startswith(("-", "*", "```", "    ")) for line in lines):
            out.append(paragraph)
        else:
            out.append(" ".join(line.strip() for line in lines))
    return "\n\n".join(out)


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "?", "!")) else f"{text}."


def instance_markdown(finding: Finding) -> str:
    """This leak in a sentence or two: what, acquired where, leaks on which path, and what to
    do when no fix says it. The diagnostic's own message is not repeated when the details say
    it all (editors show the message above the hover)."""
    details = dict(finding.details)
    what, acquired, path = details.get("resource"), details.get("acquired"), details.get("path")
    if what and acquired and path:
        what = f"{what[0].upper()}{what[1:]} on {acquired}"
        negated = details.get("not", "")
        why = details.get("why")
        if why:  # what looked like its release (UL103's `with`) is not one
            path = f"{path}: {why}"
        if negated.startswith("never"):
            text = f"{what} is {negated}: it leaks {_sentence(path)}"
        elif negated:
            text = f"{what} is {negated} {_sentence(path)}"
        else:
            text = f"{what} leaks {_sentence(path)}"
        todo = details.get("advice")
        if todo and finding.fix is None:
            text += f" To fix: {_sentence(todo)}"
        return text
    return _sentence(finding.message)


def finding_markdown(finding: Finding, related: bool = False) -> str:
    """The hover over a finding: this instance first (what, where, which path, the fix),
    then one line about the rule with a link to its full text. A few lines at most.
    ``related``: its related locations too (when its diagnostic does not carry them)."""
    from unleak.rules import RULES_BY_CODE

    lines = [f"**unleak {finding.code}**: {instance_markdown(finding)}"]
    if related and finding.related:
        lines.append(
            "\n".join(f"- line {r.span.line}: {_sentence(r.message)}" for r in finding.related)
        )
    if finding.fix is not None and finding.fix.edits:
        lines.append(f"**Fix**: {_sentence(fix_title(finding.fix))}")
    rule = RULES_BY_CODE.get(finding.code)
    if rule is not None:
        lines.append(rule_line(rule))
    return "\n\n".join(lines)


def fix_title(fix: Fix) -> str:
    """A fix's description, saying when it is unsafe (most unsafe fixes already say why)."""
    if fix.safe or "unsafe" in fix.description:
        return fix.description
    return f"{fix.description} (unsafe: review the change)"


def suppression_code_at(line_text: str, column: int) -> tuple[str, int, int] | None:
    """The rule code under ``column`` inside a suppression comment: (code, start, end)."""
    if "#" not in line_text:
        return None
    for match in _SUPPRESSION.finditer(line_text):
        group = "noqa" if match.group("noqa") is not None else "ignore"
        offset = match.start(group)
        for code in _CODE.finditer(match.group(group)):
            start, end = offset + code.start(), offset + code.end()
            if start <= column <= end:
                return code.group().upper(), start, end
    return None


async def hover_at(
    server: UnleakServer, params: types.HoverParams, resources: ResourceHovers | None = None
) -> types.Hover | None:
    from unleak.lsp.opening import hover_analysis
    from unleak.rules import RULES_BY_CODE

    doc = server.documents.get(params.text_document.uri)
    if doc is None:
        return None
    # While a large document opens, its hovered function is analysed alone.
    opening = await hover_analysis(server, doc, params.position)
    analysis: Analysis | None
    if opening is not None:
        analysis, explanation = opening
        if resources is not None and explanation is not None:
            resources.known(doc, analysis, explanation)
    else:
        analysis = await server.current_analysis(doc)
    if analysis is None:
        return None
    lines = analysis.lines
    line, column = lines.engine_position(params.position, server.encoding)
    found = [f for f in analysis.findings if span_contains(f.span, line, column)]
    ran = [leak for leak in analysis.runtime if leak.line == line]
    if found:
        # The innermost range first.
        found.sort(key=lambda f: (f.span.end_line - f.span.line, f.span.end_column - f.span.column))
        found = await server.with_fixes(doc, analysis, found)  # a hover says the fix
        text = "\n\n---\n\n".join(
            [
                *(finding_markdown(f, related=not analysis.related) for f in found),
                *(leak_markdown(leak) for leak in ran),
            ]
        )
        return types.Hover(
            contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text),
            range=lines.client_range(found[0].span, server.encoding),
        )
    if ran:  # leaked at run time
        return types.Hover(
            contents=types.MarkupContent(
                kind=types.MarkupKind.Markdown,
                value="\n\n---\n\n".join(leak_markdown(leak) for leak in ran),
            ),
            range=leak_range(ran[0], lines, server.encoding),
        )
    hit = suppression_code_at(lines.line(line - 1), column)
    if hit is None:
        # A resource name, or a name jedi knows something about.
        if resources is None:
            return None
        return await resources.hover(server, doc, analysis, line, column)
    code, start, end = hit
    rule = RULES_BY_CODE.get(code)
    if rule is None:
        return None
    return types.Hover(
        contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=rule_markdown(rule)),
        range=types.Range(
            lines.client_position(line, start, server.encoding),
            lines.client_position(line, end, server.encoding),
        ),
    )


def register(server: UnleakServer) -> None:
    resources = ResourceHovers()

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def hover(params: types.HoverParams) -> types.Hover | None:
        return await hover_at(server, params, resources)
