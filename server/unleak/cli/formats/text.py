"""Human-readable output, one line per finding as ruff prints it (1-based columns).

A finding that ``--fix`` would fix is marked ``[*]``, as ruff marks it. In a notebook the
position is its cell's (``nb.ipynb:cell 3:2:5``).
"""

from __future__ import annotations

from unleak.cli.formats.base import Report, confirmed_note, plural


def render_text(report: Report) -> str:
    lines: list[str] = []
    fixable = hidden = 0
    for path, f in report.findings():
        # One line per finding, whatever the message contains, so grep and editors can parse it.
        message = " ".join(f.message.split())
        if report.fixable(f):
            fixable += 1
            message = f"[*] {message}"
        elif report.hidden(f):
            hidden += 1
        message += confirmed_note(report.runtime_count(path, f))
        # In a notebook, the line within its cell, as ruff says it: `nb.ipynb:cell 3:2:5`.
        where = path if f.cell is None else f"{path}:cell {f.cell}"
        lines.append(f"{where}:{f.span.line}:{f.span.column + 1}: {f.code} {message}")
    if not report.quiet:
        count = len(lines)
        files = sum(1 for r in report.results if r.findings)
        if report.fixed:
            lines.append(f"Fixed {plural(report.fixed, 'problem')}; {count} remaining.")
        elif count:
            lines.append(f"Found {plural(count, 'problem')} in {plural(files, 'file')}.")
        elif not report.errors:
            lines.append("All checks passed!")
        lines += _fix_hints(fixable, hidden, report.fixed is not None)
        lines += unchecked_summary(report)
    return "".join(line + "\n" for line in lines)


def unchecked_summary(report: Report) -> list[str]:
    """What could not be checked, by kind, each said as it happened."""
    kinds = [r.kind for r in report.errors]
    files, missing, directories = (kinds.count(k) for k in ("file", "missing", "directory"))
    lines = []
    if files:
        lines.append(f"{plural(files, 'file')} could not be checked.")
    if missing:
        lines.append(f"{plural(missing, 'path')} {'was' if missing == 1 else 'were'} not found.")
    if directories:
        many = "directory" if directories == 1 else "directories"
        lines.append(f"{directories} {many} could not be read.")
    return lines


def _fix_hints(fixable: int, hidden: int, fixing: bool) -> list[str]:
    hint = ""
    if hidden:
        fixes = "fix" if hidden == 1 else "fixes"
        hint = f"{hidden} hidden {fixes} can be enabled with the `--unsafe-fixes` option"
    if fixable and not fixing:
        return [f"[*] {fixable} fixable with the `--fix` option" + (f" ({hint})." if hint else ".")]
    if hint:
        return [f"No fixes available ({hint})." if not fixing else f"{hint[0].upper()}{hint[1:]}."]
    return []
