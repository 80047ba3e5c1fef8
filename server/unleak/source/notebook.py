"""Jupyter notebooks as one module: the code cells joined in order, IPython syntax masked.

A notebook's cells share one namespace, so a resource opened in one cell and closed in a
later one is not a leak: the cells are analysed together, as the module they make when run
top to bottom. Lines that are IPython, not Python (``%magic``, ``!shell``, ``obj?``, a cell
whose ``%%magic`` makes it another language), are masked in place: the line count and every
other line stay as they are, so a position in the joined module maps back to a cell, a line
and a column within it (:class:`CellMap`).
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

NOTEBOOK_SUFFIX = ".ipynb"

# Cell magics whose body is still Python (IPython runs it after timing or capturing it).
_PYTHON_CELL_MAGICS = frozenset(
    {"time", "timeit", "capture", "prun", "debug", "memit", "mprun", "python", "python3"}
)
# `name = %magic ...` / `name = !command`: an assignment from IPython syntax.
_ASSIGNED_MAGIC = re.compile(r"^(\s*[\w.\[\]\"', ]+?\s*=\s*)[%!]")
# `obj?`, `obj.attr??`, `?obj`: IPython's help.
_HELP = re.compile(r"^\s*(\?{1,2}\s*[\w.]+|[\w.]+\s*\?{1,2})\s*$")


def is_notebook(path: str) -> bool:
    return path.endswith(NOTEBOOK_SUFFIX)


class NotebookError(ValueError):
    """The file is not a notebook unleak can read (its message says why)."""


@dataclass(frozen=True)
class Cell:
    index: int  # 0-based position among all the notebook's cells
    source: str


def read_notebook(data: bytes) -> list[Cell]:
    """The code cells of a notebook file (nbformat 4), in order; raises NotebookError.

    A notebook of another language (its kernel's ``language_info``) has no cells to check.
    """
    try:
        raw = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise NotebookError(f"invalid notebook: not UTF-8 ({exc.reason})") from None
    except ValueError as exc:
        raise NotebookError(f"invalid notebook: not JSON ({exc})") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("cells"), list):
        raise NotebookError("invalid notebook: no list of cells (only nbformat 4 is read)")
    metadata = raw.get("metadata")
    info = metadata.get("language_info") if isinstance(metadata, dict) else None
    language = info.get("name") if isinstance(info, dict) else None
    if isinstance(language, str) and language.lower() not in ("python", "python3", "ipython"):
        return []
    cells: list[Cell] = []
    for index, cell in enumerate(raw["cells"]):
        if not isinstance(cell, dict):
            raise NotebookError(f"invalid notebook: cell {index + 1} is not an object")
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(s, str) for s in source):
            source = "".join(source)
        if not isinstance(source, str):
            raise NotebookError(f"invalid notebook: cell {index + 1} has no text source")
        cells.append(Cell(index, source))
    return cells


def _lines(text: str) -> list[str]:
    """A cell's lines without their breaks, as an editor numbers them ("" has none)."""
    if not text:
        return []
    lines = text.split("\n")
    if lines[-1] == "":  # a final line break does not start a line of code
        lines.pop()
    return [line.rstrip("\r") for line in lines]


def _masked_line(line: str) -> str:
    """A line of IPython syntax as Python with the same indentation."""
    stripped = line.lstrip()
    indent = line[: len(line) - len(stripped)]
    assigned = _ASSIGNED_MAGIC.match(line)
    if assigned is not None:
        return assigned.group(1) + "None"
    return indent + "pass"


def _is_magic(line: str) -> bool:
    stripped = line.lstrip()
    if stripped.startswith(("%", "!")):
        return True
    return _HELP.match(line) is not None or _ASSIGNED_MAGIC.match(line) is not None


def mask_cell(lines: list[str]) -> tuple[list[str], set[int]]:
    """The cell's lines with IPython syntax masked, and the (0-based) lines masked.

    A cell magic that runs another language (``%%bash``, ``%%writefile``) masks the whole
    cell; ``%%time`` and the like only their own line.
    """
    first = next((n for n, line in enumerate(lines) if line.strip()), None)
    if first is not None and lines[first].lstrip().startswith("%%"):
        name = lines[first].lstrip()[2:].split(maxsplit=1)
        if not name or name[0] not in _PYTHON_CELL_MAGICS:
            return ["" if not line.strip() else "pass" for line in lines], set(range(len(lines)))
    out: list[str] = []
    masked: set[int] = set()
    for n, line in enumerate(lines):
        if _is_magic(line):
            out.append(_masked_line(line))
            masked.add(n)
        else:
            out.append(line)
    return out, masked


@dataclass(frozen=True)
class CellMap:
    """Where each code cell lies in the joined module (1-based lines)."""

    cells: tuple[int, ...]  # each code cell's 0-based index in the notebook
    starts: tuple[int, ...]  # the joined line of its first line
    lengths: tuple[int, ...]  # its number of lines
    masked: frozenset[int]  # joined lines holding IPython syntax, masked

    def locate(self, line: int) -> int | None:
        """Which code cell (its position in ``cells``) holds the joined ``line``."""
        k = bisect.bisect_right(self.starts, line) - 1
        while k >= 0 and self.lengths[k] == 0:
            k -= 1
        if k < 0 or line >= self.starts[k] + self.lengths[k]:
            return None
        return k

    def cell_line(self, k: int, line: int) -> int:
        """The joined ``line`` as a line (1-based) of cell ``k``."""
        return line - self.starts[k] + 1

    def joined_line(self, k: int, line: int) -> int:
        return self.starts[k] + line - 1

    def number(self, k: int) -> int:
        """The cell's number as reported (``cell 3``): 1-based among all the cells."""
        return self.cells[k] + 1

    def within(self, k: int, line: int, end_line: int, end_column: int) -> bool:
        """Whether a range from ``line`` to (``end_line``, ``end_column``) stays in cell k
        (its end may be the start of the line after the cell's last)."""
        start, length = self.starts[k], self.lengths[k]
        if line < start or end_line < line:
            return False
        return end_line < start + length or (end_line == start + length and end_column == 0)

    def touches_masked(self, line: int, end_line: int) -> bool:
        return any(n in self.masked for n in range(line, end_line + 1))


@dataclass(frozen=True)
class JoinedNotebook:
    text: str  # the code cells as one module, IPython syntax masked
    map: CellMap


def join_cells(cells: Iterable[tuple[int, str]]) -> JoinedNotebook:
    """The module made of code cells (``(index, source)`` in notebook order)."""
    parts: list[str] = []
    indexes: list[int] = []
    starts: list[int] = []
    lengths: list[int] = []
    masked: set[int] = set()
    line = 1
    for index, source in cells:
        lines, masked_here = mask_cell(_lines(source))
        indexes.append(index)
        starts.append(line)
        lengths.append(len(lines))
        masked.update(line + n for n in masked_here)
        parts.extend(f"{text}\n" for text in lines)
        line += len(lines)
    return JoinedNotebook(
        "".join(parts), CellMap(tuple(indexes), tuple(starts), tuple(lengths), frozenset(masked))
    )


def join_notebook(data: bytes) -> JoinedNotebook:
    """A notebook file's code cells as one module; raises NotebookError."""
    return join_cells((cell.index, cell.source) for cell in read_notebook(data))


# -- Fixing: the cells joined so that the fixed module can be cut back into them. --------

_CELL_MARK = "# unleak-cell-"
_MAGIC_MARK = "  # unleak-ipython-"


@dataclass(frozen=True)
class FixableNotebook:
    """The code cells joined for fixing: a comment line before each cell after the first
    marks where it starts, and each masked line carries a numbered mark, so that the fixed
    module can be cut back into cells and the IPython lines put back (:meth:`split`)."""

    text: str
    sources: tuple[str, ...]  # each code cell's original source
    originals: tuple[str, ...]  # each masked line's original text, by its mark's number
    placeholders: tuple[str, ...]  # each masked line as it stands in ``text``
    cell_magic: frozenset[int]  # the cells whose first line is a `%%` magic

    @classmethod
    def of(cls, sources: Iterable[str]) -> FixableNotebook:
        parts: list[str] = []
        originals: list[str] = []
        placeholders: list[str] = []
        cell_magic: set[int] = set()
        kept = tuple(sources)
        for k, source in enumerate(kept):
            if k:
                parts.append(f"{_CELL_MARK}{k}\n")
            lines = _lines(source)
            masked_lines, masked = mask_cell(lines)
            if lines and lines[0].lstrip().startswith("%%"):
                cell_magic.add(k)
            for n, line in enumerate(masked_lines):
                if n in masked:
                    line = f"{line}{_MAGIC_MARK}{len(originals)}"
                    originals.append(lines[n])
                    placeholders.append(line)
                parts.append(f"{line}\n")
        return cls(
            "".join(parts), kept, tuple(originals), tuple(placeholders), frozenset(cell_magic)
        )

    def split(self, fixed: str) -> list[str] | None:
        """The cells' sources from the fixed module, or None when a fix crossed a cell's
        edge (a mark moved, indented or gone) or moved an IPython line."""
        cells: list[list[str]] = [[]]
        for line in fixed.split("\n")[:-1] if fixed.endswith("\n") else fixed.split("\n"):
            if line.startswith(_CELL_MARK):
                if line != f"{_CELL_MARK}{len(cells)}":
                    return None
                cells.append([])
            elif _CELL_MARK in line:
                return None
            else:
                cells[-1].append(line)
        if len(cells) != len(self.sources):
            return None
        out: list[str] = []
        seen: set[int] = set()
        for k, lines in enumerate(cells):
            for n, line in enumerate(lines):
                at = line.find(_MAGIC_MARK)
                if at < 0:
                    continue
                number = line[at + len(_MAGIC_MARK) :]
                if not number.isdigit() or int(number) in seen:
                    return None
                index = int(number)
                if index >= len(self.placeholders) or line != self.placeholders[index]:
                    return None
                seen.add(index)
                lines[n] = self.originals[index]
            if k in self.cell_magic and not (lines and lines[0].lstrip().startswith("%%")):
                return None  # a cell magic must stay the cell's first line
            source = self.sources[k]
            text = "\n".join(lines)
            if lines and (source.endswith("\n") or not source):
                text += "\n"
            out.append(text)
        if len(seen) != len(self.originals):
            return None
        return out
