"""The only reference to a resource is rebound before the resource is released.

## What it does
Reports a resource whose variable is assigned a new value (often a new resource from the same
line on the next loop iteration) while the first resource is still open. The first one can no
longer be released.

It does not report rebinding after the first resource was released or handed on (stored,
returned, registered), nor rebinding on a path where the acquisition failed, nor a rebinding
under a test the path that acquired cannot pass: `if hasattr(src, "buffer"):` after opening
under `isinstance(src, str)`, or `if not owned:` after `os.fdopen(fd, closefd=owned)`, which
owns the descriptor only where `owned` is true. Nor a retry loop's `except
ConnectionRefusedError:` reached from a statement that makes no connection attempt (reading a
response already received). A rebinding that only follows an exception from
a statement that almost never fails gets severity `info`.

An instance of a project class inferred to be a resource (one whose `close()` releases what it
holds: "the `Archive` instance `a`") is reported with severity `info` (`unlikely-severity` in the
configuration) unless a statement that plausibly fails leaks it (I/O, a network call, parsing, a
callback, an `await`, a `raise`); the message says why: whether an instance holds anything open
depends on how it was made (over a stream it does not own, already closed by its constructor,
holding nothing until it connects), and the labeled samples of real code
(`bench/precision/calibrate.py`) found a fifth to a half of these findings wrong.

## Why it matters
In a loop this leaks one handle per iteration; only the last one is closed after the loop.

## Example
```python
for path in paths:
    f = open(path)
    total += len(f.read())
f.close()  # closes only the last file
```

## Use instead
```python
for path in paths:
    with open(path) as f:
        total += len(f.read())
```
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from unleak.findings.model import Finding
from unleak.settings import Severity

if TYPE_CHECKING:
    from unleak.findings.module import ModuleAnalysis

CODE = "UL107"
NAME = "reassigned-before-release"
SEVERITY = Severity.WARNING


def check(module: ModuleAnalysis) -> Iterable[Finding]:
    return module.leak_findings(CODE)


# What its fix does (unleak.fixes.registry builds it).
FIX = "Wrap in `with` (or `with lock:`), hoist an inline use, or release in `finally`."
