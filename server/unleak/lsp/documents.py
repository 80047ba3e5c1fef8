"""Per-document state: the text as the client has it, its version, the engine's state (so an
edit re-analyses only the definitions it touches), and the last analysis."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlparse

from lsprotocol import types

from unleak.findings.model import Finding
from unleak.lsp.convert import Converted, TextLines
from unleak.lsp.typing_region import TypingRegion, after_edit, changed_lines
from unleak.pipeline.live import LiveModule
from unleak.source.notebook import CellMap
from unleak.trace.report import RuntimeLeak

if TYPE_CHECKING:
    from unleak.lsp.opening import OpeningState


def uri_to_path(uri: str) -> str | None:
    """The file system path of a ``file:`` URI; None for other schemes (untitled buffers)."""
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        return None
    path = unquote(parsed.path)
    if len(path) >= 3 and path[0] == "/" and path[2] == ":":  # file:///c:/x on Windows
        path = path[1:]
    return path


@dataclass
class Analysis:
    """The result of analysing one version of a document."""

    version: int
    lines: TextLines
    findings: list[Finding]
    diagnostics: list[types.Diagnostic]
    # The settings generation it was made under (see UnleakServer.epoch).
    epoch: int = 0
    # Why the document was not analysed (too large, binary, disabled, an internal error).
    skipped: str | None = None
    # Leaks an `unleak trace` run saw in this file (shown as diagnostics too).
    runtime: list[RuntimeLeak] = field(default_factory=list)
    # Whether each finding's fix passed its check (by the finding's id), once asked.
    fix_checks: dict[int, bool] = field(default_factory=dict)
    # The findings came without their fixes (`UnleakServer.with_fixes` builds them), and
    # those built so far: each finding (by id) with its fix.
    lazy_fixes: bool = False
    fixed: dict[int, Finding] = field(default_factory=dict)
    # A notebook cell's: the joined module analysed, and how its findings came from it.
    module: CellOfModule | None = None
    # Whether its diagnostics carry their related locations (`convert.carries_related`):
    # otherwise a hover lists them.
    related: bool = True


@dataclass(frozen=True)
class CellOfModule:
    """A notebook cell in the module its notebook's code cells make (lsp/notebooks.py)."""

    text: str  # the joined module
    cells: CellMap
    position: int  # the cell's position among the joined cells
    origins: dict[int, Finding]  # each of the cell's findings (by id) as the module has it

    @property
    def offset(self) -> int:
        """Lines of the module before the cell's first line."""
        return self.cells.starts[self.position] - 1

    def words(self, text: str) -> str:
        """A text about the module ("line 12") as said in the cell."""
        from unleak.pipeline.notebook import cell_words

        return cell_words(self.cells, self.position, text)


@dataclass
class Document:
    uri: str
    version: int
    lines: TextLines
    language_id: str = "python"
    # The engine's state for this document: an edit re-analyses only what it touches.
    live: LiveModule | None = None
    # Its findings' diagnostics, converted again only for the findings an edit changed.
    converted: Converted = field(default_factory=Converted)
    analysis: Analysis | None = None
    # Pull diagnostics: the id of the last report, bumped when the diagnostics change.
    result_id: str = "0"
    result_seq: int = 0
    task: asyncio.Task[None] | None = None
    closed: bool = False
    # The last reason logged for skipping this document (each reason is logged once).
    logged_skip: str | None = None
    # The internal error whose traceback was logged for this document: the same one again
    # (each keystroke) is logged in one line.
    logged_error: str | None = None
    # The lines of the current burst of typing (a syntax error there waits for a pause).
    typing: TypingRegion | None = None
    # The diagnostics last published (or answered to a pull): the analysis's, less the
    # syntax errors held back while typing.
    shown: list[types.Diagnostic] | None = None
    # Publishes the held-back syntax errors once the typing pauses.
    idle_timer: asyncio.TimerHandle | None = None
    # A notebook cell synced with its notebook: the notebook's URI (see lsp/notebooks.py).
    notebook: str | None = None
    # A first analysis shown in steps while it runs (lsp/opening.py).
    opening: OpeningState | None = None

    @property
    def path(self) -> str | None:
        return uri_to_path(self.uri)

    @property
    def display_path(self) -> str:
        return self.path or self.uri

    @property
    def text(self) -> str:
        return self.lines.text

    def apply_changes(
        self,
        version: int,
        changes: list[types.TextDocumentContentChangeEvent],
        encoding: str,
        now: float,
    ) -> None:
        lines = self.lines
        typing = self.typing
        for change in changes:
            if isinstance(change, types.TextDocumentContentChangePartial):
                start, end = change.range.start, change.range.end
                lines = lines.edited(start, end, change.text, encoding)
                typing = after_edit(typing, start.line, end.line, change.text, now)
            else:
                new = TextLines(change.text)
                first, before, breaks = changed_lines(lines.lines, new.lines)
                typing = after_edit(typing, first, before, "\n" * breaks, now)
                lines = new
        self.lines = lines
        self.version = version
        self.typing = typing

    def current(self) -> Analysis | None:
        """The analysis of the current version, if there is one."""
        a = self.analysis
        return a if a is not None and a.version == self.version else None
