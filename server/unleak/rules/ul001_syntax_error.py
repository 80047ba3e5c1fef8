"""The file (or one definition in it) does not parse.

## What it does
Reports Python syntax errors. unleak keeps analysing the rest of the file: a definition
that does not parse is skipped, every other function, method and class is still checked.

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
from typing import TYPE_CHECKING

from unleak.findings.model import Finding
from unleak.settings import Severity

if TYPE_CHECKING:
    from unleak.findings.module import ModuleAnalysis

CODE = "UL001"
NAME = "syntax-error"
SEVERITY = Severity.ERROR
MODULE_WIDE = True  # parse errors are found for the whole text


def check(module: ModuleAnalysis) -> Iterable[Finding]:
    for error in module.parsed.errors:
        yield module.finding(CODE, error.message, error.span)
