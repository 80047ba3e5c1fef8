"""A module's text as chunks: its top-level statements, and the members of its top-level
classes, each found from the text alone and parsed on its own.

A chunk starts at a line at its level's indentation that can start a statement: not blank or
a comment, not inside a triple-quoted string, not `else`/`elif`/`except`/`finally` or a
closing bracket, not after a decorator or a backslash. Its text runs to the last line of code
before the next chunk (blank and comment lines after it belong to no chunk), so an edit only
changes the chunks it touches; a chunk's parse is cached by its text, and its positions are
relative to its first line.

Lines inside brackets at column 0 (a long literal) or a triple quote inside a comment can
split a statement; `repair` then merges the pieces where parsing says so.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass

# A line at column 0 that may start a statement.
_CONTINUATION = re.compile(r"(?:else|elif|except|finally)\b")
_TRIPLE = re.compile(r"\"\"\"|'''")
_HEADER = re.compile(
    r"(?P<async>async[ \t]+)?(?P<kind>def|class)[ \t]+(?P<name>\w+)|(?P<import>import|from)\b"
)
_DECORATOR = re.compile(r"@")


@dataclass(frozen=True)
class Chunk:
    """A statement (with its decorators) as text: ``first`` to ``last`` are its lines in the
    module (1-based, inclusive)."""

    first: int
    last: int
    text: str
    kind: str  # "def", "class", "import" or "stmt"
    name: str  # the function's or class's name; "" for other statements
    indent: str  # its indentation: "" at module level, a class member's otherwise

    def moved(self, delta: int) -> Chunk:
        if not delta:
            return self
        return Chunk(
            self.first + delta, self.last + delta, self.text, self.kind, self.name, self.indent
        )

    @property
    def key(self) -> tuple[str, str]:
        """What its parse and per-chunk facts depend on."""
        return (self.text, self.indent)


def kind_of(first_code_line: str) -> tuple[str, str]:
    """A chunk's kind and name from the text of its first line of code (after decorators)."""
    m = _HEADER.match(first_code_line.lstrip())
    if m is None:
        return "stmt", ""
    if m.group("import"):
        return "import", ""
    return m.group("kind"), m.group("name")


def string_lines(text: str, lines: list[str], offsets: list[int]) -> set[int]:
    """The (0-based) lines that begin inside a triple-quoted string."""
    inside: set[int] = set()
    for start, end in triple_quoted(text):
        first = bisect.bisect_right(offsets, start) - 1
        last = bisect.bisect_right(offsets, end - 1) - 1
        inside.update(range(first + 1, last + 1))
    return inside


def triple_quoted(text: str) -> list[tuple[int, int]]:
    """Where the triple-quoted strings of a text are (start and end offsets).

    Counts triple quotes in order; one inside a comment or a one-line string is recognised by
    what precedes it on its line, which is cheap because triple quotes are few."""
    return _triple_quoted(text)[0]


def _triple_quoted(text: str) -> tuple[list[tuple[int, int]], bool]:
    """`triple_quoted`, and whether the last string is left open at the end."""
    spans: list[tuple[int, int]] = []
    if '"""' not in text and "'''" not in text:
        return spans, False
    open_quote: str | None = None
    open_pos = 0
    for m in _TRIPLE.finditer(text):
        quote, pos = m.group(), m.start()
        if open_quote is None:
            line_start = text.rfind("\n", 0, pos) + 1
            if _in_comment_or_string(text[line_start:pos]):
                continue
            open_quote, open_pos = quote, pos
        elif quote == open_quote and not _escaped(text, pos, open_pos):
            spans.append((open_pos, pos + 3))
            open_quote = None
    if open_quote is not None:  # unterminated: it runs to the end
        spans.append((open_pos, len(text)))
    return spans, open_quote is not None


def _escaped(text: str, pos: int, floor: int) -> bool:
    n = 0
    while pos - n - 1 > floor and text[pos - n - 1] == "\\":
        n += 1
    return n % 2 == 1


def _in_comment_or_string(prefix: str) -> bool:
    """Whether the end of ``prefix`` (the start of a line) lies in a comment or a one-line
    string."""
    if "#" not in prefix and "'" not in prefix and '"' not in prefix:
        return False
    quote: str | None = None
    i = 0
    while i < len(prefix):
        c = prefix[i]
        if quote is None:
            if c == "#":
                return True
            if c in "'\"":
                if prefix.startswith(c * 3, i):
                    i += 3
                    continue  # a triple-quoted string closed on this line: skipped whole
                quote = c
        elif c == "\\":
            i += 1
        elif c == quote:
            quote = None
        i += 1
    return quote is not None


def line_offsets(lines: list[str]) -> list[int]:
    return [0, *itertools.accumulate(map(len, lines))]


def _is_code(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _trimmable(line: str) -> bool:
    """A blank or comment line (that cannot close a string) after a chunk's code."""
    stripped = line.strip()
    return not stripped or (stripped.startswith("#") and "'" not in line and '"' not in line)


def starts(text: str, lines: list[str], lo: int, indent: str, in_strings: set[int]) -> list[int]:
    """The (0-based) lines from ``lo`` on that start a statement at ``indent``."""
    pattern = _candidates(indent)
    offsets = line_offsets(lines)
    out: list[int] = []
    prev_line = -2
    in_decorator = False  # after a decorator, until its `def` or `class`
    for m in pattern.finditer(text, offsets[lo] if lo < len(offsets) else len(text)):
        i = bisect.bisect_right(offsets, m.start()) - 1
        if i == prev_line or i in in_strings:
            continue
        prev_line = i
        line = lines[i]
        if _CONTINUATION.match(line, len(indent)):
            continue
        if in_decorator:
            if line.startswith("@", len(indent)):
                continue
            in_decorator = False
            if _HEADER.match(line, len(indent)):
                continue
        j = i - 1
        while j >= lo and not _is_code(lines[j]):
            j -= 1
        if j >= lo and _continues(lines[j]):
            continue
        out.append(i)
        in_decorator = line.startswith("@", len(indent))
    return out


def _continues(line: str) -> bool:
    """Whether a line ends with a backslash continuation (not in a comment)."""
    stripped = line.rstrip()
    if not stripped.endswith("\\"):
        return False
    return "#" not in stripped or _UNCOUNTED.sub("", stripped).rstrip().endswith("\\")


@functools.lru_cache(maxsize=64)
def _candidates(indent: str) -> re.Pattern[str]:
    # A line at exactly this indentation that may start a statement.
    return re.compile("^" + re.escape(indent) + r"[^\s#)\]}]", re.M)


def top_level_starts(text: str, lines: list[str], in_strings: set[int]) -> list[int]:
    """`starts` at column 0 over a whole module."""
    return starts(text, lines, 0, "", in_strings) if lines else []


def make_chunk(lines: list[str], first: int, end: int, indent: str) -> Chunk:
    """The chunk starting on (0-based) line ``first`` and ending before ``end``, without the
    blank and comment lines at its end."""
    last = end
    while last > first + 1 and _trimmable(lines[last - 1]):
        last -= 1
    text = "".join(lines[first:last])
    code = first
    while code < last - 1 and _DECORATOR.match(lines[code], len(indent)):
        code += 1  # skip decorators (their continuation lines too) to the `def`/`class`
        while code < last - 1 and not _HEADER.match(lines[code].lstrip()):
            if lines[code].startswith(indent) and lines[code][len(indent) : len(indent) + 1] == "@":
                break
            code += 1
    kind, name = kind_of(lines[code]) if code < last else ("stmt", "")
    if kind in ("def", "class") and code > first and not lines[first].lstrip().startswith("@"):
        kind, name = "stmt", ""
    return Chunk(first + 1, last, text, kind, name, indent)


def split(text: str, lines: list[str]) -> list[Chunk]:
    """The top-level chunks of a module (``lines``: its lines with their line breaks)."""
    return _split(text, lines)[0]


def split_edited(
    old: list[Chunk], lines: list[str], start: int, old_end: int, new_end: int
) -> list[Chunk] | None:
    """The chunks of a module after an edit, from its chunks before: ``old`` split the text
    before the edit, which replaced its (0-based) lines ``start`` to ``old_end`` (exclusive)
    by ``lines[start:new_end]``. Only the chunks around the edit are split again: from the
    chunk before the edit (whose first line and what precedes it are unchanged) to the first
    unchanged chunk after it, which must come out as before (so the brackets and strings
    around it are closed as before, and every chunk after it is the same, moved). None when
    that cannot be told: split the whole text."""
    if not old:
        return None
    delta = new_end - old_end
    # The chunk holding the first changed line (1-based start + 1), and the one before it.
    i = bisect.bisect_left([c.last for c in old], start + 1)
    a = max(i - 1, 0)
    lo = old[a].first - 1 if old[a].first <= start else 0
    if lo == 0:
        a = 0
    # The first chunk wholly after the changed lines: it anchors the rest.
    b = bisect.bisect_right([c.first for c in old], max(old_end, start + 1))
    while b < len(old) and old[b].first <= old_end:
        b += 1
    if b < len(old):
        anchor: Chunk | None = old[b]
        hi = old[b].last + delta
    else:
        anchor, hi = None, len(lines)
    window = lines[lo:hi]
    text = "".join(window)
    found, unterminated = _split(text, window)
    if lo and (not found or found[0].first != 1):
        return None  # its first line no longer starts a statement
    if anchor is not None:
        if unterminated or not found or found[-1].text != anchor.text:
            return None
        if found[-1].first + lo != anchor.first + delta:
            return None
    out = old[:a]
    out += [c.moved(lo) for c in found]
    if anchor is not None:
        out += [c.moved(delta) for c in old[b + 1 :]]
    return out


def _split(text: str, lines: list[str]) -> tuple[list[Chunk], bool]:
    """`split`, and whether a triple-quoted string is left open at the end of the text."""
    offsets = line_offsets(lines)
    strings, unterminated = _triple_quoted(text)
    in_strings: set[int] = set()
    for start, end in strings:
        first = bisect.bisect_right(offsets, start) - 1
        last = bisect.bisect_right(offsets, end - 1) - 1
        in_strings.update(range(first + 1, last + 1))
    starts_ = top_level_starts(text, lines, in_strings)
    bounds = _balanced(text, offsets, strings, starts_) if starts_ else []
    chunks = [
        make_chunk(lines, s, bounds[k + 1] if k + 1 < len(bounds) else len(lines), "")
        for k, s in enumerate(bounds)
    ]
    return chunks, unterminated


_UNCOUNTED = re.compile(r"#[^\n]*|'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"")


def _balanced(
    text: str, offsets: list[int], strings: list[tuple[int, int]], bounds: list[int]
) -> list[int]:
    """Chunk starts without those that fall inside brackets left open by the chunk before
    (`names = [` followed by lines at column 0). Brackets in comments and strings do not
    count; a miscount can only join two statements into one chunk, which still parses."""
    out: list[int] = []
    depth = 0
    n = len(offsets) - 1
    s = 0  # the next triple-quoted string that may overlap
    for k, start in enumerate(bounds):
        if depth <= 0:
            out.append(start)
            depth = 0
        lo = offsets[start]
        hi = offsets[bounds[k + 1]] if k + 1 < len(bounds) else offsets[n]
        while s < len(strings) and strings[s][1] <= lo:
            s += 1
        pieces: list[str] = []
        pos = lo
        j = s
        while j < len(strings) and strings[j][0] < hi:
            a, b = strings[j]
            if a > pos:
                pieces.append(text[pos:a])
            pos = max(pos, b)
            j += 1
        if pos < hi:
            pieces.append(text[pos:hi])
        piece = "".join(pieces)
        if "#" in piece or "'" in piece or '"' in piece:
            piece = _UNCOUNTED.sub("", piece)
        depth += (
            piece.count("(")
            + piece.count("[")
            + piece.count("{")
            - piece.count(")")
            - piece.count("]")
            - piece.count("}")
        )
    return out


@dataclass(frozen=True)
class ClassLayout:
    """A class chunk split into its header (decorators, `class` line up to the colon) and its
    members; positions of members are in the module."""

    header: Chunk
    members: tuple[Chunk, ...]


def class_layout(chunk: Chunk) -> ClassLayout:
    """The members of a top-level class chunk, each a chunk of its own."""
    layout = _relative_layout(chunk.text, chunk.name)
    if chunk.first == 1:
        return layout
    delta = chunk.first - 1
    return ClassLayout(layout.header.moved(delta), tuple(m.moved(delta) for m in layout.members))


@functools.lru_cache(maxsize=4096)
def _relative_layout(text: str, name: str) -> ClassLayout:
    whole = Chunk(1, text.count("\n") + (0 if text.endswith("\n") else 1), text, "class", name, "")
    lines = text.splitlines(keepends=True)
    body = _body_start(lines)
    if body is None:  # `class A: pass`, or a header we cannot read: the class is one chunk
        return ClassLayout(whole, ())
    first_code = next((i for i in range(body, len(lines)) if _is_code(lines[i])), None)
    if first_code is None:
        return ClassLayout(whole, ())
    line = lines[first_code]
    indent = line[: len(line) - len(line.lstrip())]
    if not indent:
        return ClassLayout(whole, ())
    in_strings = string_lines(text, lines, line_offsets(lines))
    bounds = starts(text, lines, first_code, indent, in_strings)
    if not bounds or bounds[0] != first_code:
        bounds.insert(0, first_code)
    header = Chunk(1, body, "".join(lines[:body]), "class", name, "")
    members = tuple(
        make_chunk(lines, s, bounds[k + 1] if k + 1 < len(bounds) else len(lines), indent)
        for k, s in enumerate(bounds)
    )
    return ClassLayout(header, members)


def _body_start(lines: list[str]) -> int | None:
    """The (0-based) line after a class header: the header ends at the first `:` outside
    brackets and strings that ends a line (a one-line body gives None)."""
    depth = 0
    for i, line in enumerate(lines):
        code = _strip_strings(line)
        for c in code:
            if c in "([{":
                depth += 1
            elif c in ")]}":
                depth -= 1
        stripped = code.rstrip()
        if depth <= 0 and stripped.endswith(":") and not lines[i].lstrip().startswith("@"):
            return i + 1
        if depth <= 0 and ":" in stripped and not lines[i].lstrip().startswith("@"):
            return None  # `class A: pass`
    return None


_ONE_LINE_STRINGS = re.compile(r"#.*|'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"")


def _strip_strings(line: str) -> str:
    return _ONE_LINE_STRINGS.sub("", line)


def iter_leaves(chunks: list[Chunk]) -> Iterator[Chunk]:
    """Every chunk that is parsed on its own: top-level chunks, and for classes their header
    and members."""
    for chunk in chunks:
        if chunk.kind == "class":
            layout = class_layout(chunk)
            yield layout.header
            yield from layout.members
        else:
            yield chunk
