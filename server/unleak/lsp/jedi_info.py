"""What jedi knows about the name under the cursor, for hovers: its inferred type when that
is a resource type (``socket.socket`` for a parameter), and, for a call of a function
defined in another module of the project, whether that function returns a fresh resource.

jedi is imported on the first hover, never at start. Every call runs in one dedicated
thread (jedi is not thread-safe) and is bounded: a hover waits at most ``timeout`` seconds
and goes without this part if jedi is slower. The answer is still cached when it arrives,
so the next hover over the same place gets it. Any jedi error just drops the part.
"""

from __future__ import annotations

import asyncio
import os
import time
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from unleak.lsp.daemon import DaemonWorker
from unleak.lsp.logs import logger

TIMEOUT = 1.0
# Read once: seconds a hover waits for jedi instead of TIMEOUT; 0 turns jedi off.
TIMEOUT_ENV = "UNLEAK_JEDI_TIMEOUT"
_MAX_CACHED = 512

# jedi's names for the classes of some resources (the catalogue knows factories by name).
_CLASS_NOUNS = {
    "_io.TextIOWrapper": "file",
    "_io.BufferedReader": "file",
    "_io.BufferedWriter": "file",
    "_io.BufferedRandom": "file",
    "_io.FileIO": "file",
    "io.TextIOWrapper": "file",
    "io.BufferedReader": "file",
    "io.BufferedWriter": "file",
    "io.FileIO": "file",
    "socket.socket": "socket",
    "ssl.SSLSocket": "socket",
    "sqlite3.Connection": "sqlite3 connection",
    "subprocess.Popen": "process",
    "http.client.HTTPResponse": "HTTP response",
    "mmap.mmap": "memory map",
    "tempfile._TemporaryFileWrapper": "temporary file",
}


@dataclass(frozen=True)
class Definition:
    """A project function the hovered name refers to, defined in another module."""

    name: str
    path: str
    line: int
    returns: str | None  # the noun of the fresh resource it returns, if it does


@dataclass(frozen=True)
class JediInfo:
    type_name: str | None  # the inferred type (of an instance)
    type_noun: str | None  # what resource that type is, if it is one
    definition: Definition | None
    is_param: bool = False  # the name is a parameter of the function

    def definition_markdown(self, root: str | None) -> str | None:
        """A note on the project function called here, if it returns a fresh resource."""
        d = self.definition
        if d is None or d.returns is None:
            return None
        return (
            f"`{d.name}()` (defined in `{_relative(d.path, root)}` on line {d.line}) returns "
            f"a new {d.returns}: each call acquires one, and the caller must release it"
        )


def _timeout_from_env() -> float:
    try:
        return max(0.0, float(os.environ.get(TIMEOUT_ENV, "") or TIMEOUT))
    except ValueError:
        return TIMEOUT


def _relative(path: str, root: str | None) -> str:
    if root:
        try:
            return Path(path).relative_to(root).as_posix()
        except ValueError:
            pass
    return path


class JediHovers:
    """jedi answers per (document, version, position), computed in one thread."""

    def __init__(self, timeout: float | None = None) -> None:
        self.timeout = _timeout_from_env() if timeout is None else timeout
        self._worker = DaemonWorker("unleak-jedi")
        self._pending: dict[tuple[str, int, int, int], Future[JediInfo | None]] = {}
        self._answers: dict[tuple[str, int, int, int], JediInfo | None] = {}
        self._scripts: dict[str, tuple[int, Any]] = {}  # uri -> (version, jedi.Script)
        self._projects: dict[str, Any] = {}
        self._exports: dict[tuple[str, int], dict[str, str]] = {}  # (path, mtime) -> noun
        self.disabled = False  # jedi missing or broken: stop trying
        self._busy_since: float | None = None  # when the jedi thread took its question

    async def info(
        self,
        uri: str,
        version: int,  # any number that changes with the text
        text: str,
        path: str | None,
        root: str | None,
        line: int,
        column: int,
    ) -> JediInfo | None:
        """What jedi says about (1-based line, code-point column); None if nothing useful,
        jedi failed, or it did not answer within the time bound."""
        if self.disabled or self.timeout <= 0:
            return None
        key = (uri, version, line, column)
        if key in self._answers:
            return self._answers[key]
        started = self._busy_since
        if started is not None and time.monotonic() - started > self.timeout:
            # jedi is stuck on an earlier question (a huge module): do not make every
            # hover wait for it; ask again once it is free.
            return None
        # The same question still being worked on (a hover repeated while jedi is slow):
        # wait for that answer instead of queueing the question again. On a time-out a
        # question still queued is cancelled; one jedi is working on runs on and is cached.
        future = self._pending.get(key)
        if future is None or future.done():
            future = self._worker.submit(self._compute, key, text, path, root)
            self._pending = {k: f for k, f in self._pending.items() if not f.done()}
            self._pending[key] = future
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), self.timeout)
        except asyncio.TimeoutError:
            logger.debug("jedi: no answer within %s s for %s:%s", self.timeout, uri, line)
            return None
        except Exception as exc:
            logger.debug("jedi failed: %s", exc)
            return None

    # In the jedi thread.

    def _compute(
        self, key: tuple[str, int, int, int], text: str, path: str | None, root: str | None
    ) -> JediInfo | None:
        if key in self._answers:
            return self._answers[key]
        try:
            import jedi  # type: ignore[import-untyped]  # noqa: F401  (loaded once, here)
        except Exception as exc:
            logger.info("jedi cannot be imported (%s): hovers go without inferred types", exc)
            self.disabled = True
            return None
        self._busy_since = time.monotonic()
        try:
            answer = self._ask(key, text, path, root)
        except Exception as exc:  # jedi's own errors on odd code: no answer
            logger.debug("jedi error at %s: %r", key, exc)
            answer = None
        finally:
            self._busy_since = None
        if len(self._answers) > _MAX_CACHED:
            self._answers.clear()
        self._answers[key] = answer
        return answer

    def _ask(
        self, key: tuple[str, int, int, int], text: str, path: str | None, root: str | None
    ) -> JediInfo | None:
        import jedi  # type: ignore[import-untyped]

        uri, version, line, column = key
        script = self._script(jedi, uri, version, text, path, root)
        inferred = script.infer(line, column)
        names = script.goto(line, column, follow_imports=True)
        is_param = any(name.type == "param" for name in names)
        if not inferred:
            # A parameter at its definition: infer from the name jedi went to.
            for name in names:
                if name.type == "param":
                    inferred = name.infer()
                    break
        # The first instance type, preferring one that is a resource type.
        type_name = type_noun = None
        for value in inferred:
            if value.type == "instance" and value.full_name:
                noun = self._noun(value.full_name)
                if type_name is None or (noun is not None and type_noun is None):
                    type_name, type_noun = value.full_name, noun
        definition = None
        for name in names:
            definition = self._definition(name, path, root)
            if definition is not None:
                break
        if type_name is None and definition is None:
            return None
        return JediInfo(type_name, type_noun, definition, is_param)

    def _script(
        self, jedi: Any, uri: str, version: int, text: str, path: str | None, root: str | None
    ) -> Any:
        cached = self._scripts.get(uri)
        if cached is not None and cached[0] == version:
            return cached[1]
        project = None
        if root:
            project = self._projects.get(root)
            if project is None:
                project = self._projects[root] = jedi.Project(root)
        script = jedi.Script(code=text, path=path, project=project)
        self._scripts[uri] = (version, script)
        # One version per document: older answers cannot be asked for again.
        for old in [k for k in self._answers if k[0] == uri and k[1] != version]:
            del self._answers[old]
        return script

    @staticmethod
    def _noun(full_name: str) -> str | None:
        from unleak.catalogue import DEFAULT_CATALOGUE

        noun = _CLASS_NOUNS.get(full_name)
        if noun is not None:
            return noun
        factory = DEFAULT_CATALOGUE.factories.get(full_name)
        if factory is None:
            return None
        rtype = DEFAULT_CATALOGUE.types.get(factory.type)
        return rtype.noun if rtype is not None else None

    def _definition(self, name: Any, path: str | None, root: str | None) -> Definition | None:
        """A function of another module of the project, and what it returns."""
        if name.type != "function" or name.module_path is None or root is None:
            return None
        module_path = os.path.abspath(str(name.module_path))
        if path is not None and module_path == os.path.abspath(path):
            return None  # this module: the engine itself knows its functions
        if not module_path.startswith(os.path.abspath(root) + os.sep):
            return None
        exports = self._module_exports(module_path, root)
        # Exports are the module's top-level functions, by qualified name.
        returns = next(
            (noun for q, noun in exports.items() if q.rsplit(".", 1)[-1] == name.name), None
        )
        return Definition(name.name, module_path, name.line or 1, returns)

    def _module_exports(self, path: str, root: str) -> dict[str, str]:
        """The functions of a module that return a fresh resource, by the engine (cached
        per file modification time)."""
        from unleak.catalogue import DEFAULT_CATALOGUE
        from unleak.lsp.server import module_name_for
        from unleak.pipeline.api import analyse_source
        from unleak.source.text import decode_source

        try:
            mtime = os.stat(path).st_mtime_ns
        except OSError:
            return {}
        key = (path, mtime)
        cached = self._exports.get(key)
        if cached is not None:
            return cached
        try:
            with open(path, "rb") as f:
                text = decode_source(f.read())
            report = analyse_source(text, path, None, module_name_for(path, Path(root)))
        except Exception as exc:
            logger.debug("cannot analyse %s for a hover: %r", path, exc)
            return {}
        out: dict[str, str] = {}
        for qual, (tname, _elements) in report.exports.items():
            rtype = DEFAULT_CATALOGUE.types.get(tname)
            out[qual] = rtype.noun if rtype is not None else tname
        self._exports[key] = out
        return out
