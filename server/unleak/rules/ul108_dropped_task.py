"""The task returned by `asyncio.create_task()` is dropped.

## What it does
Reports `asyncio.create_task(...)`, `loop.create_task(...)` and `asyncio.ensure_future(...)`
whose result is discarded or bound to a name that is never used.

It does not report a task whose result is kept (stored, awaited, added to a set, passed on),
nor one bound to a local of a plain function that then runs the loop itself
(`_ = loop.create_task(...)`, then `loop.run_forever()`: the frame keeps the task while the loop
runs), nor one bound to a name the function declares `nonlocal` or `global` (the enclosing
scope keeps it), nor `create_task` on objects not known to be event loops.

## Why it matters
The event loop keeps only a weak reference to tasks. A task nobody references can be garbage
collected in the middle of its work, silently; its exceptions are never seen.

## Example
```python
async def handle(event):
    asyncio.create_task(notify(event))
```

## Use instead
```python
_background_tasks: set[asyncio.Task[None]] = set()

async def handle(event):
    task = asyncio.create_task(notify(event))
    _background_tasks.add(task)
    task.add_done_callback(_background_tasks.discard)
```
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from unleak.findings.model import Finding
from unleak.settings import Severity

if TYPE_CHECKING:
    from unleak.findings.module import ModuleAnalysis

CODE = "UL108"
NAME = "dropped-task"
SEVERITY = Severity.WARNING


def check(module: ModuleAnalysis) -> Iterable[Finding]:
    from unleak.findings.patterns import dropped_tasks

    return dropped_tasks(module, CODE)


# What its fix does (unleak.fixes.registry builds it).
FIX = "Keep a reference in a module-level set until the task is done."
