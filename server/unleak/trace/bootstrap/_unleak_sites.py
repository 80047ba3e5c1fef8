"""Where resources are created: a stack recorded when each resource is made, found again when
it leaks (loaded into every traced process by ``_unleak_runtime``).

A stack goes from the creating call outwards to the first frame in the project and a few
callers past it, however deep in a library the resource was made: a pool, an event loop or
a stream made by a library factory still leads back to the project line that asked for it.

An object is found again by its id while it lives, and for a while after its weak reference
died: the garbage collector clears the weak references of objects in a reference cycle
before their finalizer runs, and the finalizer is what warns.

Standard library only, and importable by the ``unleak`` package (``unleak.trace.mapping``
shares the project rules below), so nothing here runs at import.
"""

from __future__ import annotations

import os
import sys
import threading
import weakref
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from types import FrameType

    Frames = list[list[Any]]  # [filename, line, function], innermost first

# Path parts that are never the project's own code (unleak.trace.mapping uses these too).
THIRD_PARTY = frozenset({"site-packages", "dist-packages", "__pypackages__"})
ENVIRONMENTS = frozenset({".venv", "venv", ".tox", ".nox", "node_modules"})

MIN_FRAMES = 16  # recorded at least (when the stack is that deep)
CALLERS = 8  # recorded past the first project frame
MAX_WALK = 1000  # frames searched for a project frame
MAX_DEAD = 4096  # objects remembered after their weak reference died
MAX_PLAIN = 10000  # objects without weak references (sqlite3 connections)
MAX_TEXTS = 4096  # sites found by the text of a warning that names no object

_HERE = os.path.dirname(os.path.abspath(__file__))


class Project:
    """Whether a code file belongs to the project: under the root, not an interpreter's,
    not in site-packages or a virtual environment. The same rules as the report's."""

    def __init__(self) -> None:
        self.root = ""
        self.cwd = ""
        self.prefixes: tuple[str, ...] = ()
        self._cache: dict[str, bool] = {}

    def configure(self, root: str, cwd: str, prefixes: list[str]) -> None:
        self.root = os.path.realpath(root) if root else ""
        self.cwd = cwd
        self.prefixes = tuple(
            dict.fromkeys(
                q + os.sep
                for p in prefixes
                if p
                for q in (os.path.abspath(p), os.path.realpath(p))
            )
        )
        self._cache.clear()

    def __contains__(self, filename: str) -> bool:
        known = self._cache.get(filename)
        if known is None:
            known = self._cache[filename] = self._decide(filename)
        return known

    def _decide(self, filename: str) -> bool:
        if not self.root or not filename or filename.startswith("<"):
            return False
        path = filename
        if not os.path.isabs(path):  # the script as given (Python < 3.9)
            path = os.path.join(self.cwd or os.getcwd(), path)
        path = os.path.normpath(path)
        if not path.startswith(self.root + os.sep):  # maybe reached through a symbolic link
            path = os.path.realpath(path)
        if not path.startswith(self.root + os.sep) or path.startswith(_HERE):
            return False
        if self.prefixes and path.startswith(self.prefixes):
            return False
        parts = set(os.path.relpath(path, self.root).split(os.sep))
        return not (parts & THIRD_PARTY or parts & ENVIRONMENTS)


project = Project()


def stack(skip: int) -> Frames:
    """The stack of the caller ``skip`` frames up, without this bootstrap's own frames."""
    try:
        top: FrameType | None = sys._getframe(skip + 1)
    except ValueError:
        return []
    # First find how far the first project frame is (cheap: no line numbers yet).
    wanted = MIN_FRAMES
    frame = top
    seen = 0
    while frame is not None and seen < MAX_WALK:
        name = frame.f_code.co_filename
        if not name.startswith(_HERE):
            seen += 1
            if name in project:
                wanted = max(MIN_FRAMES, seen + CALLERS)
                break
        frame = frame.f_back
    frames: Frames = []
    frame = top
    while frame is not None and len(frames) < wanted:
        code = frame.f_code
        if not code.co_filename.startswith(_HERE):
            frames.append([code.co_filename, frame.f_lineno, code.co_name])
        frame = frame.f_back
    return frames


# --- the objects tracked, by id ----------------------------------------------------------------


class _Ref(weakref.ref):  # type: ignore[type-arg]
    __slots__ = ("frames", "key", "type")

    key: int
    type: type
    frames: Frames


_live: dict[int, _Ref] = {}
_dead: dict[int, tuple[type, Frames]] = {}  # oldest first
_plain: dict[int, tuple[type, Frames]] = {}  # no weak references: by id and type
_texts: dict[str, Frames] = {}
_fds: dict[int, tuple[str, Frames]] = {}  # descriptor -> (its target, stack)
_children: dict[int, Frames] = {}  # pid -> stack
_local = threading.local()


def _bounded(table: dict[Any, Any], limit: int) -> None:
    while len(table) > limit:
        try:
            table.pop(next(iter(table)))
        except (StopIteration, RuntimeError, KeyError):
            return


def _died(ref: _Ref) -> None:
    # Runs inside the garbage collector, possibly before the finalizer that warns.
    try:
        if _live.get(ref.key) is ref:
            del _live[ref.key]
            _dead[ref.key] = (ref.type, ref.frames)
            _bounded(_dead, MAX_DEAD)
    except Exception:
        pass


def remember(obj: object, frames: Frames) -> None:
    key = id(obj)
    try:
        ref = _Ref(obj, _died)
    except TypeError:
        _plain[key] = (type(obj), frames)
        _bounded(_plain, MAX_PLAIN)
        return
    ref.key, ref.type, ref.frames = key, type(obj), frames
    _live[key] = ref
    _dead.pop(key, None)


def remember_text(text: str, frames: Frames) -> None:
    """A site for a warning that will name the object only by this text."""
    _texts[text] = frames
    _bounded(_texts, MAX_TEXTS)


def frames_of(obj: object) -> Frames:
    """Where ``obj`` was created ([] when it was not tracked)."""
    key = id(obj)
    ref = _live.get(key)
    if ref is not None and ref() is obj:
        return ref.frames
    for table in (_dead, _plain):
        entry = table.get(key)
        if entry is not None and entry[0] is type(obj):
            return entry[1]
    return []


def frames_of_id(key: int) -> Frames:
    """Where the object at this address was created (a warning's text names it so)."""
    ref = _live.get(key)
    if ref is not None:
        return ref.frames
    for table in (_plain, _dead):
        entry = table.get(key)
        if entry is not None:
            return entry[1]
    return []


def frames_of_text(text: str) -> Frames:
    for known, frames in list(_texts.items()):
        if text.endswith(known):
            return frames
    return []


def live() -> list[tuple[object, Frames]]:
    """The tracked objects still alive."""
    found = []
    for ref in list(_live.values()):
        obj = ref()
        if obj is not None:
            found.append((obj, ref.frames))
    return found


# --- descriptors and child processes -----------------------------------------------------------


def remember_fd(fd: int, target: str, frames: Frames) -> None:
    _fds[fd] = (target, frames)


def forget_fd(fd: int) -> None:
    _fds.pop(fd, None)


def fd_site(fd: int) -> tuple[str, Frames] | None:
    return _fds.get(fd)


def remember_child(pid: int, frames: Frames) -> None:
    _children[pid] = frames


def child_frames(pid: int) -> Frames:
    return _children.get(pid, [])


def forget_process_state() -> None:
    """After a fork: descriptors and children are the parent's."""
    _fds.clear()
    _children.clear()


# --- the object a finalizer is about ------------------------------------------------------------


def finalizing() -> object | None:
    """The object whose wrapped ``__del__`` is running in this thread, if any: its warning
    may not name it (``warnings.warn(f"unclosed {self!r}")``)."""
    objects = getattr(_local, "finalizing", None)
    return objects[-1] if objects else None


def enter_finalizer(obj: object) -> None:
    objects = getattr(_local, "finalizing", None)
    if objects is None:
        objects = _local.finalizing = []
    objects.append(obj)


def leave_finalizer() -> None:
    objects = getattr(_local, "finalizing", None)
    if objects:
        objects.pop()
