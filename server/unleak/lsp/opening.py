"""A large document's first analysis, shown while it runs (`pipeline/opening.py`).

When a document of `OPENING_LINES` lines or more is analysed for the first time, the findings
of the functions analysed so far are published as they come (the first after the module is
prepared and its first functions analysed, then at doubling intervals), with a
``$/progress`` report when the client supports it, and the full analysis's diagnostics
replace them at the end. A newer version of the document does not abandon it: the newer
version is analysed once it ends, from its analysis (as any edit is: a function's edit
re-analyses that function alone). Meanwhile the edit does not wait for it to be shown: the
findings known so far are published again for the edited text between two steps (`edited`),
moved with the edit, those on the lines it changed left out, and the following steps are
published for the newest text the same way. Closing the document, or new settings, abandon
it between two steps; the next analysis reuses what it analysed. A hover meanwhile is
answered between two steps, from the hovered function analysed alone (after an edit, once
the opening ends).
"""

from __future__ import annotations

import asyncio
import itertools
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lsprotocol import types

from unleak.lsp.logs import logger

if TYPE_CHECKING:
    from unleak.findings.explain import FunctionExplanation
    from unleak.findings.model import Finding
    from unleak.lsp.convert import TextLines
    from unleak.lsp.documents import Analysis, Document
    from unleak.lsp.server import UnleakServer
    from unleak.pipeline.opening import Opening

# Smaller documents are analysed in one go (a few seconds at most, on a loaded machine).
OPENING_LINES = 30_000
# Test hook, read once at start: another threshold.
LINES_ENV = "UNLEAK_OPENING_LINES"


def _threshold() -> int:
    try:
        return int(os.environ.get(LINES_ENV, "") or OPENING_LINES)
    except ValueError:
        return OPENING_LINES


_LINES = _threshold()

# Why an analysis was dropped (it never is shown: the document was closed, or the settings
# changed).
CANCELLED = "abandoned"

_TOKENS = itertools.count(1)


@dataclass
class OpeningState:
    """The opening under way for one version of a document."""

    version: int
    epoch: int
    engine: Opening
    # $/progress: the token once the client created it; whether it ended.
    token: str | None = None
    began: bool = False
    ended: bool = False
    last: tuple[int, int] = (0, 0)
    shown: list[types.Diagnostic] = field(default_factory=list)
    # Publishes the findings known so far again, for the newest text (in the analysis
    # thread); whether that is waiting to run.
    again: Callable[[], None] | None = None
    pending: bool = False


def wanted(server: UnleakServer, doc: Document, lines: TextLines) -> bool:
    """Whether this analysis of ``doc`` is an opening to show in steps."""
    return (
        doc.analysis is None
        and doc.notebook is None
        and not server.pull_diagnostics
        and len(lines.lines) >= _LINES
    )


def current(server: UnleakServer, doc: Document) -> OpeningState | None:
    """The opening under way for the document's current version, if any."""
    state = doc.opening
    if (
        state is None
        or doc.closed
        or state.version != doc.version
        or state.epoch != server.epoch
        or doc.current() is not None
    ):
        return None
    return state


def showing(server: UnleakServer, doc: Document) -> OpeningState | None:
    """The opening under way for the document, of its current version or an older one (its
    steps are shown for the current one), if any."""
    state = doc.opening
    if (
        state is None
        or state.ended
        or doc.closed
        or state.epoch != server.epoch
        or doc.current() is not None
    ):
        return None
    return state


def moved_to(found: list[Finding], old: list[str], new: list[str]) -> list[Finding]:
    """The findings of the text of lines ``old`` placed in the text of lines ``new``: moved
    by the lines added or removed above them, those on the changed lines left out."""
    from unleak.findings.incremental import moved
    from unleak.source.text import changed_lines

    start, old_end, new_end = changed_lines(old, new)
    delta = new_end - old_end
    out: list[Finding] = []
    for f in found:
        numbers = [n for s in (f.span, *(r.span for r in f.related)) for n in (s.line, s.end_line)]
        if max(numbers) <= start:
            out.append(f)
        elif min(numbers) > old_end:
            out.append(moved(f, old_end, delta))
    return out


def edited(server: UnleakServer, doc: Document) -> None:
    """The document changed (on the event loop): while it opens, the findings known so far
    are published again for the new text, between two steps."""
    state = showing(server, doc)
    if state is None or state.pending or state.again is None or state.engine.steps == 0:
        return
    state.pending = True
    again = state.again

    def job() -> None:
        state.pending = False  # an edit from now on asks again
        try:
            again()
        except Exception:
            logger.exception("internal error showing %s while it opens", doc.uri)

    server.executor.submit_urgent(job)


def show_step(
    server: UnleakServer,
    doc: Document,
    state: OpeningState,
    diagnostics: list[types.Diagnostic],
    done: int,
    total: int,
    version: int | None = None,
    lines: TextLines | None = None,
) -> None:
    """Publish the diagnostics known so far (on the event loop), if the opening is still
    under way and they are of the document's current text (``version``, ``lines``: by
    default the opening's)."""
    if showing(server, doc) is not state:
        return
    version = state.version if version is None else version
    if doc.version != version or (lines is not None and doc.lines is not lines):
        return  # typed past: the next step (or the edit's) shows the newest
    state.shown = diagnostics
    doc.shown = diagnostics
    server.text_document_publish_diagnostics(
        types.PublishDiagnosticsParams(uri=doc.uri, diagnostics=diagnostics, version=version)
    )
    state.last = (done, total)
    if state.token is None and not state.ended:
        _begin(server, doc, state)
    elif state.began and not state.ended:
        server.work_done_progress.report(state.token or "", _report(state))


def end(server: UnleakServer, state: OpeningState | None) -> None:
    """The opening is over (its full analysis stored, or abandoned)."""
    if state is None or state.ended:
        return
    state.ended = True
    if state.began and state.token is not None:
        server.work_done_progress.end(state.token, types.WorkDoneProgressEnd())


def _begin(server: UnleakServer, doc: Document, state: OpeningState) -> None:
    window = server.client_capabilities.window
    if not (window and window.work_done_progress):
        return
    token = state.token = f"unleak/opening/{next(_TOKENS)}"
    name = doc.display_path.rsplit("/", 1)[-1]

    async def begin() -> None:
        try:
            await asyncio.wait_for(server.work_done_progress.create_async(token), 5)
        except Exception as exc:
            logger.debug("window/workDoneProgress/create failed: %s", exc)
            return
        if state.ended:
            return
        state.began = True
        server.work_done_progress.begin(
            token,
            types.WorkDoneProgressBegin(title=f"unleak: checking {name}", percentage=0),
        )
        server.work_done_progress.report(token, _report(state))

    task = asyncio.get_running_loop().create_task(begin())
    _TASKS.add(task)  # kept until done
    task.add_done_callback(_TASKS.discard)


_TASKS: set[asyncio.Task[None]] = set()


def _report(state: OpeningState) -> types.WorkDoneProgressReport:
    done, total = state.last
    return types.WorkDoneProgressReport(
        message=f"{done:,}/{total:,} functions", percentage=done * 100 // max(total, 1)
    )


async def hover_analysis(
    server: UnleakServer, doc: Document, position: types.Position
) -> tuple[Analysis, FunctionExplanation | None] | None:
    """While the document opens: the findings of the hovered function (with their fixes)
    and its explanation, from that function analysed alone between two steps, standing for
    the analysis of the current version; None when no opening is under way (or it ended
    meanwhile: the hover then waits for the full analysis)."""
    from unleak.lsp.documents import Analysis

    state = current(server, doc)
    if state is None:
        return None
    from unleak.lsp.convert import span_contains

    lines = doc.lines
    line, column = lines.engine_position(position, server.encoding)
    engine = state.engine

    def under(f: Finding) -> bool:
        return span_contains(f.span, line, column)

    def job() -> tuple[list[Finding], FunctionExplanation | None]:
        return engine.hover_findings(line, under), engine.explain(line)

    try:
        findings, explanation = await asyncio.wrap_future(server.executor.submit_urgent(job))
    except Exception:
        logger.exception("internal error explaining %s line %s", doc.uri, line)
        return None
    if current(server, doc) is not state:
        return None
    from unleak.lsp.convert import lean

    related = server.related_information and not lean(len(state.shown))
    return Analysis(state.version, lines, findings, [], state.epoch, related=related), explanation
