"""Per-file result cache, so a re-run over unchanged files is near-instant.

One JSON entry per checked path under ``<cache dir>/v1/``; the entry stores the key it was
computed for (unleak build + settings + path + content hash), so a changed file, a new
version or new settings simply miss. Entries are overwritten in place, so the cache grows
with the number of files, not the number of runs. Anything unreadable is a miss.
"""

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
from unleak.engine.findings import Edit, Finding, Fix, Related, Severity, Span
from unleak.engine.settings import Settings

FORMAT_VERSION = "1"
CACHE_DIR_NAME = ".unleak_cache"
_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# A cache directory created by unleak.\n"


@cache
def build_fingerprint() -> str:
    """unleak's version plus the size and mtime of its analysis code.

    The version alone is not enough for a development checkout, where the engine changes
    without a version bump; stale findings from an old engine would be wrong answers.
    """
    package = Path(unleak.__file__).parent
    digest = hashlib.sha256(f"{unleak.__version__}|{FORMAT_VERSION}".encode())
    for sub in ("engine", "rules"):
        for file in sorted((package / sub).rglob("*.py")):
            try:
                st = file.stat()
            except OSError:
                continue
            digest.update(f"|{file.relative_to(package)}:{st.st_size}:{st.st_mtime_ns}".encode())
    return digest.hexdigest()


def settings_fingerprint(settings: Settings) -> str:
    data = {
        "select": list(settings.select),
        "ignore": list(settings.ignore),
        "severities": [[c, s.value] for c, s in settings.severities],
        "extra_resources": [
            [r.factory, list(r.release), r.kind, r.with_releases] for r in settings.extra_resources
        ],
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _span_to_list(span: Span) -> list[int]:
    return [span.line, span.column, span.end_line, span.end_column]


def _span_from(value: Any) -> Span:
    line, column, end_line, end_column = (int(v) for v in value)
    return Span(line, column, end_line, end_column)


def finding_to_json(f: Finding) -> dict[str, Any]:
    return {
        "code": f.code,
        "message": f.message,
        "span": _span_to_list(f.span),
        "severity": f.severity.value,
        "related": [[_span_to_list(r.span), r.message] for r in f.related],
        "fix": None
        if f.fix is None
        else {
            "description": f.fix.description,
            "safe": f.fix.safe,
            "edits": [[_span_to_list(e.span), e.new_text] for e in f.fix.edits],
        },
        "details": [list(d) for d in f.details],
    }


def finding_from_json(d: dict[str, Any]) -> Finding:
    fix = d["fix"]
    return Finding(
        code=str(d["code"]),
        message=str(d["message"]),
        span=_span_from(d["span"]),
        severity=Severity(d["severity"]),
        related=tuple(Related(_span_from(s), str(m)) for s, m in d["related"]),
        fix=None
        if fix is None
        else Fix(
            str(fix["description"]),
            bool(fix["safe"]),
            tuple(Edit(_span_from(s), str(t)) for s, t in fix["edits"]),
        ),
        details=tuple((str(k), str(v)) for k, v in d["details"]),
    )


class Cache:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.entries = directory / f"v{FORMAT_VERSION}"
        self._ready = False

    @staticmethod
    def key(display: str, settings_fp: str, data_hash: str) -> str:
        text = f"{build_fingerprint()}|{settings_fp}|{display}|{data_hash}"
        return hashlib.sha256(text.encode()).hexdigest()

    def _entry(self, display: str) -> Path:
        name = hashlib.sha256(display.encode("utf-8", "surrogatepass")).hexdigest()
        return self.entries / name[:2] / f"{name}.json"

    def get(self, display: str, key: str) -> list[Finding] | None:
        try:
            raw = json.loads(self._entry(display).read_text(encoding="utf-8"))
            if raw.get("key") != key:
                return None
            return [finding_from_json(f) for f in raw["findings"]]
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None  # missing or corrupt: analyse again

    def put(self, display: str, key: str, findings: list[Finding]) -> None:
        entry = self._entry(display)
        payload = json.dumps({"key": key, "findings": [finding_to_json(f) for f in findings]})
        try:
            self._prepare()
            entry.parent.mkdir(parents=True, exist_ok=True)
            # Write then rename: a concurrent or interrupted run never sees half an entry.
            fd, tmp = tempfile.mkstemp(dir=entry.parent, suffix=".tmp")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    fh.write(payload)
                os.replace(tmp, entry)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        except OSError:
            pass  # a read-only or full disk only costs speed

    def _prepare(self) -> None:
        if self._ready:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        # Keep the cache out of version control and backups, as ruff and pytest do.
        for name, text in ((".gitignore", "*\n"), ("CACHEDIR.TAG", _TAG)):
            marker = self.directory / name
            if not marker.exists():
                marker.write_text(text, encoding="utf-8")
        self._ready = True
