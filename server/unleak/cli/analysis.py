"""Checking one file's bytes; every failure becomes a one-line error for that file."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

from unleak.engine.api import SourceDecodeError, check_source, decode_source
from unleak.engine.findings import Finding
from unleak.engine.settings import Settings


@dataclass
class FileResult:
    display: str
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None  # why the file could not be checked
    cached: bool = False


def analyse(display: str, data: bytes, settings: Settings) -> FileResult:
    """Decode and check one file. Never raises (short of a crash of the interpreter)."""
    if b"\x00" in data:
        # The parser rejects NUL bytes; a binary file named *.py is not worth a syntax error.
        return FileResult(display, error="file contains NUL bytes; it is not Python source")
    try:
        text = decode_source(data)
    except SourceDecodeError as exc:
        return FileResult(display, error=str(exc))
    try:
        # Parsing emits SyntaxWarning/DeprecationWarning (invalid escapes) for the user's code:
        # noise on our stderr, and an exception under -W error.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            findings = check_source(text, display, settings)
    except RecursionError:
        return FileResult(display, error="too deeply nested to analyse (recursion limit reached)")
    except MemoryError:
        return FileResult(display, error="too deeply nested to analyse (out of memory)")
    except Exception as exc:  # one bad file must not stop the others
        return FileResult(display, error=f"internal error: {type(exc).__name__}: {exc}")
    return FileResult(display, findings=list(findings))
