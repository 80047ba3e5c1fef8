"""Output formats. Each renders the whole run's results to one string for stdout."""

from __future__ import annotations

from collections.abc import Callable

from unleak.cli.formats.base import Report
from unleak.cli.formats.github import render_github
from unleak.cli.formats.json_format import render_json
from unleak.cli.formats.sarif import render_sarif
from unleak.cli.formats.text import render_text

Renderer = Callable[[Report], str]

RENDERERS: dict[str, Renderer] = {
    "text": render_text,
    "json": render_json,
    "sarif": render_sarif,
    "github": render_github,
}

__all__ = ["RENDERERS", "Renderer", "Report"]
