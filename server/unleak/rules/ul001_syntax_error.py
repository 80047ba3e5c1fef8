"""The file (or one definition in it) does not parse.

## What it does
Reports Python syntax errors. unleak keeps analysing the rest of the file: a definition
that does not parse is skipped, every other function, method and class is still checked.
Code valid for a newer Python than the one unleak runs on (`type X = ...`, t-strings), or
nested deeper than that Python's parser can follow, is no error: an information note says
which definitions were not checked, and why.

It does not report a file that cannot be read or decoded: that is not a syntax error, and the
command line reports the path as not checked instead (exit code 2). In the editor, an error in
the lines being typed is shown only after a short pause, so that half-typed code does not flash.

## Why it matters
Code that does not parse cannot run, and the parts that do parse may still leak.

## Example
```python
def broken(:
    pass
```

## Use instead
Fix the syntax error; the findings of the skipped definition come back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from unleak.findings.messages import newer_python_note, project_lacks_message
from unleak.findings.model import Finding
from unleak.settings import Settings, Severity
from unleak.source.parsing import ParseError

if TYPE_CHECKING:
    from unleak.findings.module import ModuleAnalysis

CODE = "UL001"
NAME = "syntax-error"
SEVERITY = Severity.ERROR
MODULE_WIDE = True  # parse errors are found for the whole text


def check(module: ModuleAnalysis) -> Iterable[Finding]:
    newer: list[ParseError] = []
    floor = module.settings.python_floor
    for error in module.parsed.errors:
        if error.needs is None or _project_lacks(module.settings, error.needs):
            yield finding(module, error)
        else:
            newer.append(error)
    if newer:  # said once per file, where the first such line is
        needed = max(e.needs for e in newer if e.needs is not None)
        message = newer_python_note(newer[0].message, needed, len(newer), floor)
        yield replace(module.finding(CODE, message, newer[0].span), severity=Severity.INFO)


def finding(module: ModuleAnalysis, error: ParseError) -> Finding:
    """The finding of one parse error (code valid only for a Python the project does not
    support is a real syntax error: it says which one the project supports)."""
    message = error.message
    if error.too_deep:  # valid code this Python cannot parse: a note, not an error
        return replace(module.finding(CODE, message, error.span), severity=Severity.INFO)
    floor = module.settings.python_floor
    if error.needs is not None and floor is not None and floor < error.needs:
        message = project_lacks_message(message, floor)
    elif error.needs is not None:
        message = newer_python_note(message, error.needs, 1, floor)
        return replace(module.finding(CODE, message, error.span), severity=Severity.INFO)
    return module.finding(CODE, message, error.span)


def _project_lacks(settings: Settings, needs: tuple[int, int]) -> bool:
    return settings.python_floor is not None and settings.python_floor < needs
