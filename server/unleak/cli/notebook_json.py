"""A notebook file's JSON, written back with only its code cells' sources changed.

Jupyter writes notebooks as ``json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False)``
plus a line break; other tools indent differently. The layout is found by writing the parsed
notebook back in each usual layout until one gives the file's very text: with it, the fixed
notebook differs from the file only in the sources changed. A file in no known layout is not
rewritten.
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass
from typing import Any

from unleak.source.notebook import read_notebook

_BOM = b"\xef\xbb\xbf"
_INDENTS: tuple[int | str, ...] = (1, 2, 4, "\t")
_COMPACT: tuple[tuple[str, str], ...] = ((", ", ": "), (",", ":"))
_LINES = re.compile(r"[^\n]*\n|[^\n]+")


def _layouts() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for sort_keys, ascii_only in itertools.product((True, False), (False, True)):
        base = {"sort_keys": sort_keys, "ensure_ascii": ascii_only}
        out += [{**base, "indent": indent} for indent in _INDENTS]
        out += [{**base, "separators": separators} for separators in _COMPACT]
    return out


@dataclass
class NotebookJson:
    raw: dict[str, Any]
    text: str  # the file's text (without a BOM)
    bom: bool
    code: list[int]  # the indexes of its code cells, in order

    @classmethod
    def parse(cls, data: bytes) -> NotebookJson:
        """Raises NotebookError, as reading it for a check does."""
        cells = read_notebook(data)
        text = data.decode("utf-8-sig")
        return cls(json.loads(text), text, data.startswith(_BOM), [c.index for c in cells])

    def sources(self) -> list[str]:
        out = []
        for index in self.code:
            source = self.raw["cells"][index].get("source", "")
            out.append("".join(source) if isinstance(source, list) else source)
        return out

    def _layout(self) -> tuple[dict[str, Any], str] | None:
        """The json.dumps arguments, and the text after it, that give the file's text."""
        for kwargs in _layouts():
            dumped = json.dumps(self.raw, **kwargs)
            tail = self.text[len(dumped) :]
            if self.text.startswith(dumped) and tail in ("", "\n", "\r\n"):
                return kwargs, tail
        return None

    def with_sources(self, sources: list[str]) -> bytes | None:
        """The file's bytes with the code cells' sources replaced; None when the file is in
        no layout this can write back."""
        layout = self._layout()
        if layout is None or len(sources) != len(self.code):
            return None
        kwargs, tail = layout
        changed = json.loads(self.text)
        for index, source in zip(self.code, sources, strict=True):
            cell = changed["cells"][index]
            old = cell.get("source", "")
            cell["source"] = _LINES.findall(source) if isinstance(old, list) else source
        out = json.dumps(changed, **kwargs) + tail
        return (_BOM if self.bom else b"") + out.encode("utf-8")
