"""The result cache, so a re-run over unchanged files is near-instant.

Two JSON files per cache directory (normally one per project), read at the start and
written, each atomically, at the end when something changed. The results file maps each
checked file's absolute path to an :data:`Entry`: the file's size, mtime and content hash, the
key it was analysed under (settings fingerprint and module name), the hash of the other
modules' exports it was given, and its findings; the summaries file holds each file's own
exports and imports (so the analysis across modules needs no engine for unchanged files),
read only when the project index must be linked again. The unleak build is recorded in both;
another build ignores every entry.

A file whose size and mtime match its entry is neither read nor hashed; one whose stat
differs is hashed, and only re-analysed if its bytes changed. Anything unreadable is a miss.
JSON rather than pickle: a cache directory shipped inside a repository must not be able to
run code.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any

from unleak.findings.model import Edit, Finding, Fix, Related
from unleak.index.model import ModuleSummary
from unleak.index.store import engine_fingerprint
from unleak.settings import Settings, Severity
from unleak.source.spans import Span

FORMAT_VERSION = "5"
CACHE_DIR_NAME = ".unleak_cache"
CACHE_FILE = f"results-v{FORMAT_VERSION}.json"
# The entries' summaries, apart: three quarters of the bytes, which a run whose files all come
# from the cache as the last run left them never reads (see `Cache.load`).
SUMMARIES_FILE = f"summaries-v{FORMAT_VERSION}.json"
# An entry's summary, in the results file: it is in the summaries file.
ELSEWHERE = "@"
_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# A cache directory created by unleak.\n"

# A finding as plain data: [code, message, span, severity, related, fix, details], then its
# cell in a notebook (only there).
PackedFinding = list[Any]
# [size, mtime_ns, digest, key, hash of its view of the project index, findings, summary,
# error] where summary is the module's summary for the index (as data, or None) and error (or
# None) says why the file's bytes cannot be analysed (say, a bad encoding).
Entry = list[Any]
SIZE, MTIME, DIGEST, KEY, EXTERNAL, FINDINGS, SUMMARY, ERROR = range(8)


def build_fingerprint() -> str:
    """unleak's version, the cache format and its engine's code (see
    :func:`unleak.index.store.engine_fingerprint`): another build ignores every entry."""
    return engine_fingerprint(FORMAT_VERSION)


def settings_fingerprint(settings: Settings) -> str:
    """Everything in the settings that changes findings, except other modules' exports
    (those are keyed separately, per file, by :func:`external_hash`)."""
    data = {
        "select": list(settings.select),
        "extend_select": list(settings.extend_select),
        "ignore": list(settings.ignore),
        "severities": [[c, s.value] for c, s in settings.severities],
        "unlikely_severities": [[c, s.value] for c, s in settings.unlikely_severities],
        "extra_resources": [
            [r.factory, list(r.release), r.kind, r.with_releases] for r in settings.extra_resources
        ],
        # What parses depends on the Python running unleak and the project's oldest one.
        "python": [list(sys.version_info[:2]), settings.python_floor],
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def external_hash(summaries: dict[str, Any]) -> str:
    """A file's view of the project index; "" when it uses nothing of it."""
    if not summaries:
        return ""
    text = json.dumps(sorted(summaries.items()), separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _span(span: Span) -> list[int]:
    return [span.line, span.column, span.end_line, span.end_column]


def pack_finding(f: Finding) -> PackedFinding:
    fix = f.fix
    return [
        f.code,
        f.message,
        _span(f.span),
        f.severity.value,
        [[_span(r.span), r.message] for r in f.related],
        None
        if fix is None
        else [fix.description, fix.safe, [[_span(e.span), e.new_text] for e in fix.edits]],
        [list(d) for d in f.details],
        *([] if f.cell is None else [f.cell]),
    ]


def _span_from(value: Any) -> Span:
    line, column, end_line, end_column = value
    if not all(type(v) is int for v in (line, column, end_line, end_column)):
        raise TypeError("span")
    return Span(line, column, end_line, end_column)


def _str(value: Any) -> str:
    if type(value) is not str:
        raise TypeError("string")
    return value


def unpack_finding(d: Any) -> Finding:
    """The inverse of :func:`pack_finding`; raises (TypeError, ValueError) on garbage."""
    code, message, span, severity, related, fix, details, *cell = d
    if len(cell) > 1 or not all(type(c) is int for c in cell):
        raise TypeError("cell")
    return Finding(
        code=_str(code),
        message=_str(message),
        span=_span_from(span),
        severity=Severity(severity),
        related=tuple(Related(_span_from(s), _str(m)) for s, m in related),
        fix=None
        if fix is None
        else Fix(
            _str(fix[0]),
            bool(fix[1]),
            tuple(Edit(_span_from(s), _str(t)) for s, t in fix[2]),
        ),
        details=tuple((_str(k), _str(v)) for k, v in details),
        cell=cell[0] if cell else None,
    )


def run_stamp(rows: list[list[str]]) -> str:
    """What a run's project index rests on: per file (in the run's order) its path, key,
    content hash and view hash. A run with the same stamp as the run that saved the cache
    has the same summaries, so the same views: it need not link the index again."""
    return hashlib.sha256(json.dumps(rows, separators=(",", ":")).encode()).hexdigest()


def read_summary(entry: Entry) -> ModuleSummary | None:
    """An entry's summary (None when it has none); raises (TypeError, ValueError, ...) when
    it is malformed (see `read_entry`)."""
    return None if entry[SUMMARY] is None else ModuleSummary.from_data(entry[SUMMARY])


_MALFORMED = (TypeError, ValueError, AttributeError, IndexError, KeyError)


def read_entry(
    entry: Any, summary: bool = True
) -> tuple[list[Finding], ModuleSummary | None] | None:
    """An entry's findings and summary (``summary=False``: None, not read), or None when it
    is malformed."""
    try:
        if type(entry) is not list or len(entry) != 8:
            return None
        findings = [unpack_finding(f) for f in entry[FINDINGS]]
        module = read_summary(entry) if summary else None
        if not all(type(entry[i]) is int for i in (SIZE, MTIME)):
            return None
        if not all(type(entry[i]) is str for i in (DIGEST, KEY, EXTERNAL)):
            return None
        if entry[ERROR] is not None and type(entry[ERROR]) is not str:
            return None
        return findings, module
    except _MALFORMED:
        return None


def summary_or_malformed(entry: Entry) -> ModuleSummary | bool | None:
    """`read_summary`, or False when the summary is malformed."""
    try:
        return read_summary(entry)
    except _MALFORMED:
        return False


class Cache:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.file = directory / CACHE_FILE
        self.summaries_file = directory / SUMMARIES_FILE
        self.stamp = ""  # the `run_stamp` of the run that saved it (as loaded)
        self._generation = ""  # the save the loaded entries come from

    def load(self, summaries: bool = True) -> dict[str, Entry]:
        """Path -> entry for this build; empty when missing, corrupt or from another build.
        ``summaries=False``: their summaries stay in their file (`ELSEWHERE`) until `fill`.

        Entries are validated one by one when used (:func:`read_entry`)."""
        raw = self._read(self.file)
        if raw is None or type(raw.get("files")) is not dict:
            return {}
        files: dict[str, Entry] = raw["files"]
        stamp, generation = raw.get("stamp"), raw.get("generation")
        self.stamp = stamp if type(stamp) is str else ""
        self._generation = generation if type(generation) is str else ""
        if summaries:
            self.fill(files)
        return files

    def fill(self, files: dict[str, Entry]) -> None:
        """Put the entries' summaries in place from the summaries file; one that is missing
        there (or from another save) is malformed, and its entry a miss (`read_entry`)."""
        if not any(
            type(e) is list and len(e) == 8 and e[SUMMARY] == ELSEWHERE for e in files.values()
        ):
            return
        raw = self._read(self.summaries_file)
        found: Any = None
        if raw is not None and self._generation and raw.get("generation") == self._generation:
            found = raw.get("summaries")
        if type(found) is not dict:
            found = {}
        for path, entry in files.items():
            if type(entry) is list and len(entry) == 8 and entry[SUMMARY] == ELSEWHERE:
                entry[SUMMARY] = found.get(path, False)

    def _read(self, file: Path) -> dict[str, Any] | None:
        """A cache file's data, when it is of this build."""
        try:
            with open(file, "rb") as fh:
                raw = json.loads(fh.read())
        except (OSError, ValueError):
            return None
        if type(raw) is not dict or raw.get("build") != build_fingerprint():
            return None
        return raw

    def save(self, files: dict[str, Entry], stamp: str = "") -> None:
        """Write every entry at once; a concurrent reader sees the old files or the new ones
        (the two files of one save share a generation). ``stamp``: the saving run's
        `run_stamp`."""
        self.fill(files)
        summaries: dict[str, Any] = {}
        kept: dict[str, Entry] = {}
        for path, entry in files.items():
            if type(entry) is list and len(entry) == 8 and entry[SUMMARY] is not None:
                summaries[path] = entry[SUMMARY]
                entry = [*entry[:SUMMARY], ELSEWHERE, *entry[SUMMARY + 1 :]]
            kept[path] = entry
        generation = os.urandom(8).hex()
        build = build_fingerprint()
        try:
            self._prepare()
            # The summaries first: results naming a generation always find its summaries.
            self._write(
                self.summaries_file,
                {"build": build, "generation": generation, "summaries": summaries},
            )
            self._write(
                self.file, {"build": build, "stamp": stamp, "generation": generation, "files": kept}
            )
        except OSError:
            pass  # a read-only or full disk only costs speed

    def _write(self, file: Path, data: dict[str, Any]) -> None:
        import tempfile

        payload = json.dumps(data, separators=(",", ":")).encode()
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".results-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(payload)
            os.replace(tmp, file)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def _prepare(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        # Keep the cache out of version control and backups, as ruff and pytest do.
        for name, text in ((".gitignore", "*\n"), ("CACHEDIR.TAG", _TAG)):
            marker = self.directory / name
            if not marker.exists():
                marker.write_text(text, encoding="utf-8")
