"""Where a class's code uses `self.<attr>`, from its text: what the project index records of
classes (the attributes a class mentions, those it uses as a stream) without walking every
class's tree."""

from __future__ import annotations

import re

# `self.attr` and `self.attr.method(`. Without a leading \b the regex engine skips ahead to
# each "self." (the boundary is checked after, for mentions; a stream call in `myself.f.read(`
# only makes the index summarise one more constructor).
_MENTION = re.compile(r"self\.([A-Za-z_][A-Za-z0-9_]*)")
_WORD = re.compile(r"\w")
_CALL = re.compile(r"self\.(\w+)[ \t]*\.[ \t]*(\w+)[ \t]*\(")
# `getattr(self, name)`, `vars(self)`, `self.__dict__`: not `getattr(infile, "buffer")`, which
# reaches another object's attributes.
_BY_NAME = re.compile(r"\b(?:get|set|del)attr\(\s*self\b|\bvars\(\s*(?:self\b|\))|__dict__")


def _by_name(text: str) -> bool:
    """Whether ``text`` reaches `self`'s attributes by name: `_BY_NAME`, which finds no fixed
    word to skip ahead to, searched only where one of the words it needs occurs."""
    return ("attr(" in text or "vars(" in text or "__dict__" in text) and bool(
        _BY_NAME.search(text)
    )


# Methods of files, sockets, processes and connections: an attribute used through one holds
# such an object (a string attribute does not).
STREAM_METHODS = frozenset(
    {
        "read", "readline", "readlines", "readinto", "write", "writelines", "seek", "tell",
        "flush", "fileno", "truncate", "recv", "recv_into", "recvfrom", "send", "sendall",
        "sendto", "makefile", "settimeout", "setsockopt", "getsockname", "listen", "accept",
        "poll", "wait", "communicate", "kill", "terminate", "send_signal", "cursor", "execute",
        "executemany", "commit", "rollback",
    }
)  # fmt: skip


class AttrUses:
    """A module's lines, joined for one class at a time."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines

    def _part(self, first: int, last: int) -> str:
        return "\n".join(self.lines[first - 1 : last])

    def mentions(self, first: int, last: int) -> set[str]:
        """The attributes of `self` mentioned on lines ``first``..``last`` ("*" too if the
        code reaches attributes by name)."""
        part = self._part(first, last)
        found: set[str] = set()
        at = 0
        while (m := _MENTION.search(part, at)) is not None:
            if m.start() and _WORD.match(part, m.start() - 1):
                at = m.start() + 1  # inside a word: a match may start later inside this one
                continue
            found.add(m.group(1))
            at = m.end()
        if _by_name(part):
            found.add("*")
        return found

    def streams(self, first: int, last: int) -> set[str]:
        """The attributes of `self` whose stream methods (`self.f.read(`) are called there."""
        return {a for a, m in _CALL.findall(self._part(first, last)) if m in STREAM_METHODS}
