"""Error-tolerant parsing: a file that does not parse is parsed chunk by chunk.

Top-level statements (and, inside a broken class, its members) are parsed separately so
that a syntax error in one definition hides nothing else.
"""

from __future__ import annotations

import ast
import bisect
import itertools
import re
import sys
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from unleak.source.facts import StatementFacts
from unleak.source.newer import newer_syntax
from unleak.source.segments import Segments
from unleak.source.spans import Span
from unleak.source.text import source_lines
from unleak.source.walk import walk

_LINE = re.compile(r"\b(line) (\d+)\b")
_CONTINUATION = re.compile(r"(else|elif|except|finally|case)\b")


@dataclass(frozen=True)
class ParseError:
    message: str
    span: Span
    # Set when the code is valid for a newer Python than the one running: (major, minor).
    needs: tuple[int, int] | None = None
    # Set when the code nests deeper than the running Python's parser can follow: not a
    # syntax error (CPython 3.13 parses deeper code than 3.11), a definition left unchecked.
    too_deep: bool = False


@dataclass
class ParsedModule:
    tree: ast.Module
    errors: list[ParseError] = field(default_factory=list)
    # Facts about the top-level statements, kept from earlier versions of the document.
    facts: StatementFacts | None = None
    # Its text in pieces whose line scans are kept from earlier versions of the document.
    segments: Segments | None = None


# Comments and string literals, to tell the lines inside a multi-line string.
_STRINGS = re.compile(
    r"""\#[^\r\n]*
    | \"\"\"(?:[^"\\]|\\.|"(?!""))*(?:\"\"\"|\Z)
    | '''(?:[^'\\]|\\.|'(?!''))*(?:'''|\Z)
    | "(?:[^"\\\r\n]|\\.)*"?
    | '(?:[^'\\\r\n]|\\.)*'?""",
    re.S | re.X,
)


def _string_lines(lines: list[str]) -> set[int]:
    """The (0-based) lines that begin inside a string literal: they start no statement."""
    text = "".join(lines)
    starts = [0, *itertools.accumulate(map(len, lines))]
    inside: set[int] = set()
    for m in _STRINGS.finditer(text):
        if "\n" in m.group() or "\r" in m.group():
            first = bisect.bisect_right(starts, m.start()) - 1
            last = bisect.bisect_right(starts, m.end() - 1) - 1
            inside.update(range(first + 1, last + 1))
    return inside


def parse_module(text: str) -> ParsedModule:
    try:
        return ParsedModule(ast.parse(text, type_comments=False))
    except (SyntaxError, ValueError, MemoryError, RecursionError) as exc:
        first_error = syntax_error(exc, 0)
    lines = source_lines(text)
    body, errors = _parse_chunks(lines, 0, len(lines), _string_lines(lines))
    if not errors:
        # Chunking hid the error (e.g. a file-level problem): keep the whole-file message.
        errors = [first_error]
    return ParsedModule(ast.Module(body=body, type_ignores=[]), errors)


def syntax_error(exc: BaseException, line_offset: int, chunk: Sequence[str] = ()) -> ParseError:
    """The parse error an exception of `ast.parse` stands for, its lines moved down by
    ``line_offset``; ``chunk``: the lines parsed (to name the definition that nests too
    deeply)."""
    if isinstance(exc, SyntaxError):
        message = exc.msg
        if line_offset:  # "expected an indented block after 'if' statement on line 3"
            message = _LINE.sub(lambda m: f"{m.group(1)} {int(m.group(2)) + line_offset}", message)
        line = (exc.lineno or 1) + line_offset
        col = max((exc.offset or 1) - 1, 0)
        end_line = (exc.end_lineno or exc.lineno or 1) + line_offset
        end_col = max((exc.end_offset or exc.offset or 1) - 1, col + 1 if end_line == line else 0)
        newer = newer_syntax(exc, chunk)
        if newer is not None:
            (major, minor), what = newer
            running = ".".join(map(str, sys.version_info[:3]))
            message = f"{what} needs Python {major}.{minor} (unleak runs on Python {running})"
            # The whole offending line: the parser's column is often past the new syntax.
            text = (exc.text or "").rstrip("\r\n")
            start = len(text) - len(text.lstrip())
            return ParseError(message, Span(line, start, line, len(text)), (major, minor))
        return ParseError(f"SyntaxError: {message}", Span(line, col, end_line, end_col))
    if isinstance(exc, ValueError) and "null bytes" in str(exc):
        return ParseError("SyntaxError: source contains NUL bytes", Span(1, 0, 1, 0))
    if isinstance(exc, (RecursionError, MemoryError)):
        return _too_deep(chunk, line_offset)
    return ParseError(f"SyntaxError: {exc}", Span(line_offset + 1, 0, line_offset + 1, 0))


_HEADER = re.compile(r"\s*(?:async\s+)?(def|class)\s+([A-Za-z_]\w*)")


def _too_deep(chunk: Sequence[str], line_offset: int) -> ParseError:
    """Code the running Python's parser gives up on (a `1 + 1 + ...` of 3,000 terms): said
    at the first line of the definition (or statement) holding it."""
    running = ".".join(map(str, sys.version_info[:2]))
    for i, text in enumerate(chunk):
        stripped = text.strip()
        if not stripped or stripped.startswith(("#", "@")):
            continue
        header = _HEADER.match(text)
        if header is None:
            what = "The statement here"
        elif header.group(1) == "def":
            what = f"`{header.group(2)}`"
        else:
            what = f"Class `{header.group(2)}`"
        line = line_offset + i + 1
        body = text.rstrip("\r\n")
        span = Span(line, len(body) - len(body.lstrip()), line, len(body))
        break
    else:
        span = Span(line_offset + 1, 0, line_offset + 1, 0)
        message = f"This file is nested too deeply for Python {running} to parse"
        return ParseError(f"{message}, so it is not checked for leaks", span, too_deep=True)
    message = (
        f"{what} is nested too deeply for Python {running} to parse, so it is not checked "
        "for leaks; the rest of the file is"
    )
    return ParseError(message, span, too_deep=True)


def _chunk_starts(
    lines: list[str], start: int, end: int, indent: str, in_strings: set[int]
) -> list[int]:
    """Lines at the given indentation that look like the start of a new statement."""
    starts: list[int] = []
    prev_decorator = False
    prev_backslash = False
    n = len(indent)
    for i in range(start, end):
        line = lines[i]
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        at_level = line.startswith(indent) and not line[n : n + 1].isspace() and i not in in_strings
        if at_level and not prev_decorator and not prev_backslash:
            rest = line[n:]
            if rest[:1] not in ")]}" and not _CONTINUATION.match(rest):
                starts.append(i)
        prev_decorator = at_level and line[n:].startswith("@")
        prev_backslash = stripped.endswith("\\")
    if not starts or starts[0] != start:
        starts.insert(0, start)
    return starts


def _parse_chunks(
    lines: list[str], start: int, end: int, in_strings: set[int]
) -> tuple[list[ast.stmt], list[ParseError]]:
    starts = _chunk_starts(lines, start, end, "", in_strings)
    bounds = [*starts, end]
    body: list[ast.stmt] = []
    errors: list[ParseError] = []
    i = 0
    while i < len(starts):
        lo = bounds[i]
        # Grow the chunk while it fails: a multi-line string can contain column-0 lines.
        parsed: list[ast.stmt] | None = None
        j = i + 1
        first_exc: BaseException | None = None
        while j <= len(starts) and j - i <= 4:
            try:
                parsed = _parse_at("".join(lines[lo : bounds[j]]), lo)
                break
            except (SyntaxError, ValueError, MemoryError, RecursionError) as exc:
                first_exc = first_exc or exc
                j += 1
        if parsed is not None:
            body.extend(parsed)
            i = j
            continue
        hi = bounds[i + 1]
        assert first_exc is not None
        errors.append(syntax_error(first_exc, lo, lines[lo:hi]))
        recovered = _recover_class(lines, lo, hi, errors, in_strings)
        if recovered is not None:
            body.append(recovered)
        i += 1
    return body, errors


def _parse_at(chunk: str, line_offset: int) -> list[ast.stmt]:
    tree = ast.parse(chunk)
    if line_offset:
        ast.increment_lineno(tree, line_offset)
    return tree.body


def _recover_class(
    lines: list[str], lo: int, hi: int, errors: list[ParseError], in_strings: set[int]
) -> ast.stmt | None:
    """Parse a broken class member by member, keeping the members that parse."""
    header_end = lo
    while header_end < hi and not lines[header_end].rstrip().endswith(":"):
        header_end += 1
    header = "".join(lines[lo : header_end + 1])
    if not re.match(r"\s*(@|class\b)", lines[lo]):
        return None
    try:
        (cls,) = _parse_at(header + "    pass\n", lo)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    if not isinstance(cls, ast.ClassDef):
        return None
    member_lines = [i for i in range(header_end + 1, hi) if lines[i].strip()]
    if not member_lines:
        return cls
    first = lines[member_lines[0]]
    indent = first[: len(first) - len(first.lstrip())]
    members: list[ast.stmt] = []
    starts = _chunk_starts(lines, header_end + 1, hi, indent, in_strings)
    bounds = [*starts, hi]
    for k, s in enumerate(starts):
        chunk = textwrap.dedent("".join(lines[s : bounds[k + 1]]))
        try:
            parsed = _parse_at(chunk, s)
        except (SyntaxError, ValueError, MemoryError, RecursionError) as exc:
            err = syntax_error(exc, s, lines[s : bounds[k + 1]])
            # Columns are relative to the dedented chunk (those of a note that it nests too
            # deeply, to the lines given).
            errors[-1] = (
                err
                if err.too_deep
                else replace(
                    err,
                    span=Span(
                        err.span.line,
                        err.span.column + len(indent),
                        err.span.end_line,
                        err.span.end_column + len(indent),
                    ),
                )
            )
            continue
        for node in parsed:
            for sub in walk(node):
                if hasattr(sub, "col_offset"):
                    sub.col_offset += len(indent)
                    end = getattr(sub, "end_col_offset", None)
                    if end is not None:
                        setattr(sub, "end_col_offset", end + len(indent))  # noqa: B010
        members.extend(parsed)
    cls.body = members or cls.body
    # The header was parsed with a stub body: the class really spans the whole chunk.
    last = hi
    while last > lo and not lines[last - 1].strip():
        last -= 1
    cls.end_lineno = last
    cls.end_col_offset = len(lines[last - 1].rstrip("\r\n").encode("utf-8"))
    return cls
