"""A lock acquired with `acquire()` is not released on every path.

## What it does
Follows `acquire()` on `threading`, `multiprocessing` and `asyncio` locks, semaphores and
conditions to the end of the function and reports it when some path (a `return`, an
exception, a `break`) skips the matching `release()`. A non-blocking or timed `acquire()` is
only counted on the branch where it succeeded, whether its result is tested inline, through a
name (`ok = lock.acquire(timeout=5)`, `if not ok:`) or against `False` (`is False`, `== False`).

It does not report a function that acquires and never releases (`lock()`, `__enter__`: it hands
the lock to its caller on purpose), a lock released by a sibling method of the same class that
does not acquire it (`enter()`/`leave()`: returning with it held is the hand-off, also after an
exception caught on the way, as when a failed attempt is retried; an exception out of the
function before it is still reported; a closure a method defines, such as the acquire half of a
pair of closures it returns, is one of the class's methods: its `self` is the method's), or
that records on the instance, right after `acquire()`, that
it holds it (`self._commit_lock.acquire(); self.locked = True`: whoever reads the flag
releases it, as ZODB's `FileStorage.pack` does for its packer), nor a lock whose bound
release is handed to a call (`ThreadResult(result, hub, semaphore.release)`: the callback
releases it when the work is done; an exception before that is still reported), nor a
non-blocking acquire that is the last operand of an `and` (where the test is false, it did
not acquire or did not run), nor an `acquire()` inside a `with lock:` block of the same lock
that also releases it for a while (`lock.release()` ... `finally: lock.acquire()` around a
callback or a generator's `yield`, as `Condition.wait()` does): the `with` releases it on
every path out of the block. A method whose decorator, a function of the module, holds a lock
of the instance around its call (`def atomic(meth): def m(self, *args): with self._atomic:
return meth(self, *args)`, gevent's `@atomic`) runs inside such a block.

A lock left held when the function returns, or only when a call not known to fail raises
(anything but I/O, a network call, parsing, a callback, an `await` or a `raise`), is reported
with severity `info` (`unlikely-severity` in the configuration), the message saying why: in the
labeled samples of real code (`bench/precision/calibrate.py`) such locks were handed on by
design (the acquire half of a pair, a creator that releases it later, a function documented to
return with the lock held) about as often as forgotten. A lock that a likely failure leaks
(`open(path)` raising between `acquire()` and `release()`) stays a warning.

## Why it matters
A lock that is never released deadlocks every other thread that waits for it: the program
hangs, usually much later and far away from the bug.

## Example
```python
def add(self, item):
    self._lock.acquire()
    self._items.append(validate(item))  # if this raises, the lock stays held
    self._lock.release()
```

## Use instead
```python
def add(self, item):
    with self._lock:
        self._items.append(validate(item))
```
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from unleak.findings.model import Finding
from unleak.settings import Severity

if TYPE_CHECKING:
    from unleak.findings.module import ModuleAnalysis

CODE = "UL105"
NAME = "lock-not-released"
SEVERITY = Severity.WARNING


def check(module: ModuleAnalysis) -> Iterable[Finding]:
    return module.leak_findings(CODE)


# What its fix does (unleak.fixes.registry builds it).
FIX = "Wrap in `with` (or `with lock:`), hoist an inline use, or release in `finally`."
