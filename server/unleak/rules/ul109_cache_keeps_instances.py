"""`functools.lru_cache` or `functools.cache` on a method keeps every instance alive.

## What it does
Reports `@lru_cache`, `@lru_cache(...)` and `@cache` on methods (functions defined in a class
body that take `self`).

It does not report caches on immutable value types (`NamedTuple`, `Enum` members, frozen
dataclasses and attrs classes, and their subclasses): equal instances are interchangeable and
the cache holds values, not objects that own anything. Nor on classes the module instantiates
once at module level (`registry = Registry()`): that one instance lives as long as the process
anyway. `staticmethod`s, `classmethod`s, `cached_property` (stored on the instance) and caches
built per instance in `__init__` keep nothing alive and are not reported either.

Off by default: turn it on with `extend-select = ["UL109"]` in `[tool.unleak]`,
`--extend-select UL109` or the editor's `unleak.extendSelect`. On the labeled sample of real
library code (`bench/precision`), most of its findings were on classes with a few long-lived
instances (one SQL dialect per engine, one compiler per dialect), where the cache does not grow
with use; from the source alone it cannot tell those from classes created per request.

## Why it matters
The cache is stored on the function, shared by all instances, and its keys include `self`.
Every instance the method was ever called on stays referenced by the cache, together with any
files, sockets or connections it holds, for the life of the process. The message says what is
kept: the instances' memory and the resources their attributes hold.

## Example
```python
class Repo:
    @functools.lru_cache(maxsize=None)
    def blob(self, sha):
        ...
```

## Use instead
```python
class Repo:
    def __init__(self):
        self.blob = functools.lru_cache(maxsize=None)(self._blob)

    def _blob(self, sha):
        ...
```
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from unleak.findings.model import Finding
from unleak.settings import Severity

if TYPE_CHECKING:
    from unleak.findings.module import ModuleAnalysis

CODE = "UL109"
NAME = "cache-keeps-instances"
SEVERITY = Severity.WARNING
# Off by default: on real library code most reported caches sit on classes with a few
# long-lived instances (a dialect per engine, a registry), where nothing grows; see the docs.
ON_BY_DEFAULT = False


def check(module: ModuleAnalysis) -> Iterable[Finding]:
    from unleak.findings.patterns import cached_methods

    return cached_methods(module, CODE)
