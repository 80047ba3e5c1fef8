"""A resource, or a value built from it, is used after the resource was released.

## What it does
Reports code that reads a file, socket or connection after closing it, or that keeps using
a value built from it: a `csv.reader(f)`, `enumerate(f)`, a generator over `f`, a bound
method such as `f.write`, a cursor. The release is the end of a `with` block that closes the
resource or an explicit `close()`; the use is on a path that may run after it. Returning
such a value from inside the `with` block is reported too: the block closes the resource as
the function returns, so the caller gets a value over a closed resource.

It does not report: values that are only plain data (`f.read()`, `list(f)` taken inside the
block, `f.name`, `f.closed`, a name annotated as plain data such as `version: Tuple[int, ...] =
conn.server_version`, a value returned from a function annotated to return such data such as
`-> Tuple[int, ...]`), uses around a loop back to its start, uses after a `close()`
inside an `if` (the later code is often guarded by the same condition), code under a test that
the resource is still open (`if not f.closed: f.abort()`), another release after the first
(`pool.close()` then `pool.terminate()` and `pool.join()`), an attribute of an object of no
known type returned from inside `with closing(obj)` (`return response.content`: data read from
it), values built by calls it does not know (they may or may not keep the resource), results
of methods of such values whatever they are given (`client.fetch(path, repo)`), and values
passed to functions that may store them.

## Why it matters
The value reads through the resource, so the use fails with `ValueError: I/O operation on
closed file` (or `OSError`, or a database error) — often only on the path that reaches it,
in production. Lazy values hide the mistake: `csv.reader(f)` inside the `with` block
succeeds, and only iterating it afterwards fails.

## Example
```python
def rows(path):
    with open(path, newline="") as f:
        reader = csv.reader(f)
    return list(reader)
```

## Use instead
```python
def rows(path):
    with open(path, newline="") as f:
        reader = csv.reader(f)
        return list(reader)
```
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from unleak.findings.model import Finding
from unleak.settings import Severity

if TYPE_CHECKING:
    from unleak.findings.module import ModuleAnalysis

CODE = "UL110"
NAME = "used-after-release"
SEVERITY = Severity.WARNING


def check(module: ModuleAnalysis) -> Iterable[Finding]:
    from unleak.findings.after_release import used_after_release

    return used_after_release(module, CODE)
