"""A class stores a resource on `self` but no method ever releases it.

## What it does
Reports an assignment such as `self.conn = sqlite3.connect(path)` when no method of the class
(`close`, `__exit__`, `__aexit__`, `__del__`, `shutdown`, `stop`, ...) releases `self.conn`,
hands it to something that will, or lets it escape.

It does not report a class with a base class it cannot see (a base from another package may
release the attribute), nor an attribute that a subclass in the same module releases. A
resource kept in a public attribute (`self.stdout`, not `self._stdout`) is reported with the
severity of an unlikely leak (information by default; `unlikely-severity` in the settings):
the class may be handing it to its users, who then close it.

## Why it matters
Users of the class have no way to release the resource: every instance leaks it until the
garbage collector runs.

## Example
```python
class Store:
    def __init__(self, path):
        self.conn = sqlite3.connect(path)

    def get(self, key):
        return self.conn.execute("select v from kv where k = ?", (key,)).fetchone()
```

## Use instead
```python
class Store:
    def __init__(self, path):
        self.conn = sqlite3.connect(path)

    def close(self):
        self.conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
```
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from unleak.findings.model import Finding
from unleak.settings import Severity

if TYPE_CHECKING:
    from unleak.findings.module import ModuleAnalysis

CODE = "UL106"
NAME = "class-never-releases"
SEVERITY = Severity.WARNING
MODULE_WIDE = True  # needs every method of the class


def check(module: ModuleAnalysis) -> Iterable[Finding]:
    from unleak.findings.classes import classes_never_releasing

    return classes_never_releasing(module, CODE)
