"""Source text: decoding bytes, splitting lines, and converting ast positions (byte columns)
to code-point spans."""

from __future__ import annotations

import ast
import functools
import re
import tokenize
from io import BytesIO

from unleak.source.spans import Span

# Characters that str.splitlines() breaks on but Python's tokenizer does not.
_OTHER_BREAKS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


@functools.lru_cache(maxsize=256)
def whole_word(word: str) -> re.Pattern[str]:
    """``word`` where it is a whole word (no word character just before or after it). The word
    comes first and its start is checked behind it: a pattern that begins with a lookbehind
    or `\\b` makes the regex engine try every position of the text instead of skipping ahead
    to each occurrence of the word (40 times slower over a module)."""
    escaped = re.escape(word)
    return re.compile(rf"{escaped}(?<!\w{escaped})(?!\w)")


def _other_breaks(text: str) -> bool:
    # One substring search per character is far faster than a regex character class.
    return any(c in text for c in _OTHER_BREAKS)


def source_lines(text: str) -> list[str]:
    """The lines of a module as the parser numbers them (only \\n, \\r\\n and \\r end a
    line), each with its line break."""
    lines = text.splitlines(keepends=True)
    if not _other_breaks(text):
        return lines
    merged: list[str] = []
    pending = ""
    for piece in lines:
        pending += piece
        if piece.endswith(("\n", "\r")):
            merged.append(pending)
            pending = ""
    if pending:
        merged.append(pending)
    return merged


class SourceText:
    """A module's text split into lines, converting ast positions to code-point spans."""

    def __init__(self, text: str, lines: list[str] | None = None) -> None:
        """``lines``: `source_lines(text)`, when the caller has it already."""
        self.text = text
        if not _other_breaks(text):
            self.lines = text.splitlines()
        else:
            self.lines = [line.rstrip("\r\n") for line in lines or source_lines(text)]

    def edited(self, text: str, start: int, end: int, new_lines: list[str]) -> SourceText:
        """The source after 0-based lines ``start`` to ``end`` (exclusive) were replaced by
        ``new_lines`` (with their line breaks), giving ``text``."""
        edited = SourceText.__new__(SourceText)
        edited.text = text
        edited.lines = [
            *self.lines[:start],
            *(line.rstrip("\r\n") for line in new_lines),
            *self.lines[end:],
        ]
        return edited

    def char_column(self, line: int, byte_col: int) -> int:
        if line < 1 or line > len(self.lines):
            return byte_col
        src = self.lines[line - 1]
        if src.isascii():
            return byte_col
        return len(src.encode("utf-8")[:byte_col].decode("utf-8", errors="replace"))

    def span(self, node: ast.AST) -> Span:
        line = getattr(node, "lineno", 1)
        col = getattr(node, "col_offset", 0)
        end_line = getattr(node, "end_lineno", None) or line
        end_col = getattr(node, "end_col_offset", None)
        if end_col is None:
            end_col = col
        return Span(
            line,
            self.char_column(line, col),
            end_line,
            self.char_column(end_line, end_col),
        )

    def line_text(self, line: int) -> str:
        return self.lines[line - 1] if 0 < line <= len(self.lines) else ""


class SourceDecodeError(Exception):
    """The bytes of a file cannot be decoded as Python source."""


def decode_source(data: bytes) -> str:
    """Decode Python source bytes honouring BOM and PEP 263 coding cookies."""
    try:
        encoding, _ = tokenize.detect_encoding(BytesIO(data).readline)
        return data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError) as exc:
        raise SourceDecodeError(f"cannot decode source: {exc}") from None


def changed_lines(old: list[str], new: list[str]) -> tuple[int, int, int]:
    """The lines that differ: 0-based start, and the ends (exclusive) in old and new."""
    limit = min(len(old), len(new))
    step = 64  # compare blocks of lines first: list comparison runs in C
    start = 0
    while start + step <= limit and old[start : start + step] == new[start : start + step]:
        start += step
    while start < limit and old[start] == new[start]:
        start += 1
    tail = 0
    room = limit - start
    o, n = len(old), len(new)
    while (
        tail + step <= room and old[o - tail - step : o - tail] == new[n - tail - step : n - tail]
    ):
        tail += step
    while tail < room and old[o - tail - 1] == new[n - tail - 1]:
        tail += 1
    return start, o - tail, n - tail
