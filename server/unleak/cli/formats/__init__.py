"""Output formats. Each renders the whole run's results to one string for stdout.

Renderers are imported on first use: a run imports only the one it prints with.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from unleak.cli.formats.base import Report

Renderer = Callable[[Report], str]


def _lazy(module: str, function: str) -> Renderer:
    def render(report: Report) -> str:
        renderer: Renderer = getattr(import_module(f"unleak.cli.formats.{module}"), function)
        return renderer(report)

    render.__name__ = function
    return render


RENDERERS: dict[str, Renderer] = {
    "text": _lazy("text", "render_text"),
    "json": _lazy("json_format", "render_json"),
    "sarif": _lazy("sarif", "render_sarif"),
    "github": _lazy("github", "render_github"),
}

__all__ = ["RENDERERS", "Renderer", "Report"]
