"""Human-readable output, one line per finding as ruff prints it (1-based columns)."""

from __future__ import annotations

from unleak.cli.formats.base import Report, plural


def render_text(report: Report) -> str:
    lines = [
        # One line per finding, whatever the message contains, so grep and editors can parse it.
        f"{path}:{f.span.line}:{f.span.column + 1}: {f.code} {' '.join(f.message.split())}"
        for path, f in report.findings()
    ]
    if not report.quiet:
        count = len(lines)
        files = sum(1 for r in report.results if r.findings)
        if count:
            lines.append(f"Found {plural(count, 'problem')} in {plural(files, 'file')}.")
        elif not report.errors:
            lines.append("All checks passed!")
        if report.errors:
            lines.append(f"{plural(len(report.errors), 'file')} could not be checked.")
    return "".join(line + "\n" for line in lines)
