"""Code actions: each finding's fix as a quick fix, "Ignore CODE on this line", and
``source.fixAll.unleak`` (every safe fix in the file, for ``editor.codeActionsOnSave``).

Edits are computed against the analysis of the document version the server has, which is
the version the client had when it asked (notifications and requests arrive in order); the
edits name that version, so a client whose document moved on refuses them instead of
misapplying them, and the server returns no action if the document changed while it worked.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from lsprotocol import types

from unleak.findings.model import Edit, Finding
from unleak.lsp.convert import TextLines, spans_overlap
from unleak.lsp.documents import Analysis, Document
from unleak.lsp.indexing import module_name
from unleak.lsp.logs import logger
from unleak.pipeline.live import FIXABLE

if TYPE_CHECKING:
    from unleak.lsp.server import UnleakServer

FIX_ALL_KIND = "source.fixAll.unleak"
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_NOQA_CODES = re.compile(
    r"#\s*noqa:\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*)", re.IGNORECASE
)


def wanted(kind: str, only: Sequence[str] | None) -> bool:
    """Whether a client asking for ``only`` kinds wants an action of ``kind``."""
    if only is None:
        return kind != FIX_ALL_KIND  # source actions only when asked for
    return any(kind == o or kind.startswith(f"{o}.") for o in only)


def workspace_edit(
    server: UnleakServer, doc: Document, version: int, edits: list[types.TextEdit]
) -> types.WorkspaceEdit:
    if server.versioned_edits:
        return types.WorkspaceEdit(
            document_changes=[
                types.TextDocumentEdit(
                    text_document=types.OptionalVersionedTextDocumentIdentifier(
                        uri=doc.uri, version=version
                    ),
                    edits=list(edits),
                )
            ]
        )
    return types.WorkspaceEdit(changes={doc.uri: list(edits)})


def text_edits(lines: TextLines, edits: Sequence[Edit], encoding: str) -> list[types.TextEdit]:
    """The engine's edits for the client, with the document's line breaks; ValueError if
    they do not fit the text."""
    from unleak.fixes.apply import apply_edits, newline_of

    newline = newline_of(lines.text)
    edits = [
        Edit(e.span, _LINE_BREAK.sub(newline, e.new_text)) if newline != "\n" else e for e in edits
    ]
    apply_edits(lines.text, edits)  # raises ValueError on overlaps or bad positions
    return [types.TextEdit(lines.client_range(e.span, encoding), e.new_text) for e in edits]


def _related(analysis: Analysis, finding: Finding) -> list[types.Diagnostic]:
    index = analysis.findings.index(finding)
    if index < len(analysis.diagnostics):
        return [analysis.diagnostics[index]]
    return []


def quick_fix(
    server: UnleakServer, doc: Document, analysis: Analysis, finding: Finding, fixed: Finding
) -> types.CodeAction | None:
    """``fixed``: ``finding`` with its fix."""
    fix = fixed.fix
    if fix is None or not fix.edits:
        return None
    try:
        edits = text_edits(analysis.lines, fix.edits, server.encoding)
    except ValueError as exc:
        logger.debug("fix for %s does not fit %s: %s", finding.code, doc.uri, exc)
        return None
    # Most unsafe fixes say why in their description; the others are said to be unsafe here.
    unsafe = "" if fix.safe or "unsafe" in fix.description else ", unsafe: review the change"
    title = f"{fix.description} ({finding.code}{unsafe})"
    return types.CodeAction(
        title=title,
        kind=types.CodeActionKind.QuickFix,
        diagnostics=_related(analysis, finding),
        is_preferred=fix.safe,
        edit=workspace_edit(server, doc, analysis.version, edits),
    )


def noqa_edit(line_text: str, line: int, code: str) -> Edit | None:
    """The edit that adds ``code`` to the line's ``# noqa:`` comment, or one such comment;
    None where a comment cannot go (the line continues with a backslash)."""
    from unleak.source.spans import Span

    matches = list(_NOQA_CODES.finditer(line_text))
    if matches:
        match = matches[-1]
        codes = re.split(r"[\s,]+", match.group("codes").upper())
        if code in codes:
            return None
        end = match.end("codes")
        return Edit(Span(line, end, line, end), f", {code}")
    body = line_text.rstrip()
    if body.endswith("\\"):
        return None
    return Edit(Span(line, len(body), line, len(line_text)), f"  # noqa: {code}")


def ignore_action(
    server: UnleakServer, doc: Document, analysis: Analysis, finding: Finding
) -> types.CodeAction | None:
    line = finding.span.line
    edit = noqa_edit(analysis.lines.line(line - 1), line, finding.code)
    if edit is None:
        return None
    try:
        edits = text_edits(analysis.lines, [edit], server.encoding)
    except ValueError:
        return None
    return types.CodeAction(
        title=f"Ignore {finding.code} on this line",
        kind=types.CodeActionKind.QuickFix,
        diagnostics=_related(analysis, finding),
        edit=workspace_edit(server, doc, analysis.version, edits),
    )


def whole_text_edit(lines: TextLines, new_text: str, encoding: str) -> types.TextEdit:
    """One edit turning ``lines.text`` into ``new_text``: the changed middle only."""
    old = lines.text
    start = 0
    limit = min(len(old), len(new_text))
    while start < limit and old[start] == new_text[start]:
        start += 1
    end_old, end_new = len(old), len(new_text)
    while end_old > start and end_new > start and old[end_old - 1] == new_text[end_new - 1]:
        end_old -= 1
        end_new -= 1
    # Keep \r\n pairs whole.
    if 0 < start < len(old) and old[start - 1] == "\r" and old[start] == "\n":
        start -= 1
    if 0 < end_old < len(old) and old[end_old - 1] == "\r" and old[end_old] == "\n":
        end_old += 1
        end_new += 1
    return types.TextEdit(lines.offsets_range(start, end_old, encoding), new_text[start:end_new])


async def fix_all(
    server: UnleakServer, doc: Document, analysis: Analysis
) -> types.CodeAction | None:
    if analysis.skipped or not any(
        (f.fix and f.fix.safe and f.fix.edits) or (analysis.lazy_fixes and f.code in FIXABLE)
        for f in analysis.findings
    ):
        return None  # (without their fixes: the fix loop tells whether one is safe)
    if analysis.module is not None:
        # A notebook cell is not a module of its own: fixing it alone could undo what a
        # later cell does. Its quick fixes, checked on the whole notebook, are offered.
        return None
    from unleak.pipeline.fix_loop import fix_source

    settings = server.settings_for(doc)
    loop = asyncio.get_running_loop()
    try:
        result = await loop.run_in_executor(
            server.executor,
            lambda: fix_source(analysis.lines.text, doc.display_path, settings.engine),
        )
    except Exception:
        logger.exception("internal error fixing %s", doc.uri)
        return None
    if not result.changed or result.text == analysis.lines.text:
        return None
    edit = whole_text_edit(analysis.lines, result.text, server.encoding)
    return types.CodeAction(
        title=f"unleak: apply {len(result.applied)} safe fix(es)",
        kind=FIX_ALL_KIND,
        edit=workspace_edit(server, doc, analysis.version, [edit]),
    )


async def checked_fixes(
    server: UnleakServer, doc: Document, analysis: Analysis, findings: list[Finding]
) -> set[int]:
    """The ids of the findings whose fix passes its check (`pipeline.fix_check`): applied
    alone, it removes its finding and adds none. Remembered for the analysed version."""
    from unleak.pipeline.fix_check import fix_holds

    todo = [f for f in findings if f.fix and f.fix.edits and id(f) not in analysis.fix_checks]
    if todo:
        settings = server.indexer.settings_for(doc, server.settings_for(doc).engine)
        text, path, module = analysis.lines.text, doc.display_path, module_name(doc.path)
        origin = {id(f): f for f in todo}
        if analysis.module is not None:
            # A notebook cell: its fixes are checked on the notebook's joined cells.
            text = analysis.module.text
            origin = {id(f): analysis.module.origins[id(f)] for f in todo}
            nb = server.notebooks.get(doc.notebook or "")
            if nb is not None:
                path, module = nb.path or nb.uri, module_name(nb.path)

        def check() -> dict[int, bool]:
            return {id(f): fix_holds(text, path, settings, origin[id(f)], module) for f in todo}

        try:
            results = await asyncio.get_running_loop().run_in_executor(server.executor, check)
        except Exception:
            logger.exception("internal error checking fixes for %s", doc.uri)
            return set()
        for finding in todo:
            if not results[id(finding)]:
                logger.info("fix for %s at line %s failed its check: not offered",
                            finding.code, finding.span.line)  # fmt: skip
        analysis.fix_checks.update(results)
    return {id(f) for f in findings if analysis.fix_checks.get(id(f))}


async def code_actions(
    server: UnleakServer, params: types.CodeActionParams
) -> list[types.CodeAction] | None:
    doc = server.documents.get(params.text_document.uri)
    if doc is None:
        return None
    analysis = await server.current_analysis(doc)
    if analysis is None or analysis.version != doc.version:
        return None
    only = params.context.only
    actions: list[types.CodeAction] = []
    if wanted(types.CodeActionKind.QuickFix, only):
        lines = analysis.lines
        start = lines.engine_position(params.range.start, server.encoding)
        end = lines.engine_position(params.range.end, server.encoding)
        fixes: list[types.CodeAction] = []
        ignores: list[types.CodeAction] = []
        here = [f for f in analysis.findings if spans_overlap(f.span, start, end)]
        fixed = await server.with_fixes(doc, analysis, here)
        holding = await checked_fixes(server, doc, analysis, fixed)
        for finding, with_fix in zip(here, fixed, strict=True):
            if (
                id(with_fix) in holding
                and (action := quick_fix(server, doc, analysis, finding, with_fix)) is not None
            ):
                fixes.append(action)
            if (action := ignore_action(server, doc, analysis, finding)) is not None:
                ignores.append(action)
        actions += fixes + ignores
    if wanted(FIX_ALL_KIND, only) and (action := await fix_all(server, doc, analysis)):
        actions.append(action)
    if doc.closed or doc.version != analysis.version:
        return None  # the document moved on while the fixes were computed: offer nothing
    return actions


def register(server: UnleakServer) -> None:
    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL_KIND],
            resolve_provider=False,
        ),
    )
    async def code_action(params: types.CodeActionParams) -> list[types.CodeAction] | None:
        return await code_actions(server, params)
