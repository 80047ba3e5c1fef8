"""A resource acquired inside `try` is released in `finally` under a name that may be unbound.

## What it does
Reports the tutorial pattern where the acquisition is the first statement *inside* `try` and
the `finally` block releases it unconditionally. When the acquisition itself fails, the name
was never bound and the release raises `UnboundLocalError` (or `NameError`), hiding the
original error.

It does not report an acquisition before the `try`, a release guarded by a test
(`if f is not None: f.close()`), nor a name already bound before the `try` (the release then
sees the earlier value, not an unbound name). When the acquisition and what comes before it in
the `try` almost never fail (creating a socket: see UL102's list), the finding has the severity
`info` (`unlikely-severity` in the configuration).

## Why it matters
The real error (file not found, connection refused) is replaced by a confusing
`UnboundLocalError` from the `finally` block, and in a loop the name may still refer to the
previous iteration's resource, which is then closed twice while the new one leaks.

## Example
```python
try:
    f = open(path)
    data = f.read()
finally:
    f.close()
```

## Use instead
```python
f = open(path)
try:
    data = f.read()
finally:
    f.close()
```
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from unleak.findings.model import Finding
from unleak.settings import Severity

if TYPE_CHECKING:
    from unleak.findings.module import ModuleAnalysis

CODE = "UL104"
NAME = "unbound-in-finally"
SEVERITY = Severity.WARNING


def check(module: ModuleAnalysis) -> Iterable[Finding]:
    from unleak.findings.patterns import unbound_in_finally

    return unbound_in_finally(module, CODE)


# What its fix does (unleak.fixes.registry builds it).
FIX = "Move the acquisition before `try`."
