"""The engine's entry points, shared by every front end."""

from __future__ import annotations

import tokenize
from io import BytesIO

from unleak.engine.findings import Finding
from unleak.engine.settings import Settings


class SourceDecodeError(Exception):
    """The bytes of a file cannot be decoded as Python source."""


def decode_source(data: bytes) -> str:
    """Decode Python source bytes honouring BOM and PEP 263 coding cookies."""
    try:
        encoding, _ = tokenize.detect_encoding(BytesIO(data).readline)
        return data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError) as exc:
        raise SourceDecodeError(f"cannot decode source: {exc}") from None


def check_source(text: str, path: str = "<stdin>", settings: Settings | None = None) -> list[Finding]:
    """Analyse one module's text and return its findings, sorted by position.

    Never raises for bad input: syntax errors become UL001 findings.
    """
    from unleak.engine.analyzer import analyse_module

    return analyse_module(text, path, settings or Settings())
