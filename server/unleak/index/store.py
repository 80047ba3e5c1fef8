"""The index's cache on disk, shared by `unleak check` and `unleak server`: per file, its
size, mtime and summary, so that an editor starting after a run (or a run after an editor)
summarises only the files that changed. JSON, like the CLI's result cache, and ignored
whole when written by another build of the engine or for other extra resources."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import unleak

INDEX_FILE = "index-v2.json"
# Packages whose code decides findings and summaries (everything below the front ends).
ENGINE_PACKAGES = (
    "catalogue",
    "names",
    "summaries",
    "index",
    "flow",
    "findings",
    "rules",
    "fixes",
    "pipeline",
    "source",
    "settings.py",
)


@cache
def engine_fingerprint(extra: str = "") -> str:
    """unleak's version plus the size and mtime of its engine's code (a development checkout
    changes without a version bump)."""
    package = os.path.dirname(unleak.__file__)
    digest = hashlib.sha256(f"{unleak.__version__}|{extra}".encode())
    for sub in ENGINE_PACKAGES:
        for file in _python_files(os.path.join(package, sub)):
            try:
                st = os.stat(file)
            except OSError:
                continue
            rel = os.path.relpath(file, package).replace(os.sep, "/")
            digest.update(f"|{rel}:{st.st_size}:{st.st_mtime_ns}".encode())
    return digest.hexdigest()


def _python_files(path: str) -> list[str]:
    if os.path.isfile(path):
        return [path]
    out: list[str] = []
    for directory, dirs, files in sorted(os.walk(path)):
        dirs.sort()
        out.extend(os.path.join(directory, n) for n in sorted(files) if n.endswith(".py"))
    return out


# path -> [size, mtime_ns, summary data]
StoredFile = list[Any]


class IndexStore:
    def __init__(self, directory: Path, key: str) -> None:
        """``key``: what else summaries depend on (the extra resources)."""
        self.directory = directory
        self.file = directory / INDEX_FILE
        self.key = key

    def load(self) -> dict[str, StoredFile]:
        try:
            with open(self.file, "rb") as fh:
                raw = json.loads(fh.read())
        except (OSError, ValueError):
            return {}
        if (
            type(raw) is not dict
            or raw.get("build") != engine_fingerprint()
            or raw.get("key") != self.key
            or type(raw.get("files")) is not dict
        ):
            return {}
        files: dict[str, StoredFile] = raw["files"]
        return files

    def save(self, files: dict[str, StoredFile]) -> None:
        """Written at once; a concurrent reader sees the old file or the new one."""
        payload = json.dumps(
            {"build": engine_fingerprint(), "key": self.key, "files": files},
            separators=(",", ":"),
        ).encode()
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            marker = self.directory / ".gitignore"
            if not marker.exists():
                marker.write_text("*\n", encoding="utf-8")
            fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".index-", suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(payload)
                os.replace(tmp, self.file)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        except OSError:
            pass  # a read-only or full disk only costs speed


def extras_key(extra_resources: tuple[Any, ...]) -> str:
    return hashlib.sha256(repr(extra_resources).encode()).hexdigest()[:16]
