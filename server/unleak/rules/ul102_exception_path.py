"""A resource is released on normal paths but not when an exception is raised.

## What it does
Reports a resource whose release (`close()`, `shutdown()`, `wait()`, ...) is skipped when a
statement between the acquisition and the release raises, because the release is not in a
`finally` block or a `with` statement. In a generator, a `yield` counts as a place where the
consumer can stop the generator. A resource stored on an object inside `try`
(`self._sock = socket.socket(...)`) is reported too when a handler of that `try` forgets it
(`self._sock = None`) before releasing it: a later statement of the `try` that fails leaves
it open with nothing referring to it. An `__init__` that stores a resource on `self` and then
raises explicitly (`raise ValueError("bad header")`) loses it too: the caller never gets the
instance, so nothing can close it (only an explicit `raise` is reported there, not any call
that may raise). A project class's release method that does its work first and releases as
its last step, outside a `finally` (`def read(self): self._parse(); self.archive.close()`), is
a release only when it returns: a caller whose `reader.read()` raises still holds the instance.
One that releases in its own `finally` (or in `with self.file:`), or before each `raise` of its
own (`self.process.kill(); self.process.wait(); raise Timeout()`), releases whatever it raises,
as a failing `close()` does.
In a coroutine, a task cancelled at an `await` raises
`asyncio.CancelledError`, a `BaseException`: it goes past `except Exception:` (and out of
`suppress(Exception)`), so a resource only such a handler releases is reported ("if the task
is cancelled at the `await` on line N"); a bare `raise` in `except CancelledError:` goes on as
a cancellation, and that handler is entered only from an `await`.

It does not report statements that cannot raise (assignments, attribute stores, `len()`,
`isinstance()`, appending to a list, logging calls), nor, in synchronous code, what escapes
`except Exception:` (`KeyboardInterrupt`, `SystemExit`), a statement that fails only with `OSError`
(socket methods, `os` functions, a helper of the module that does no more) inside a `try` whose
handler catches every `OSError` (`socket.error` is `OSError`) and releases, or inside
`contextlib.suppress(OSError)` with the release after it (nothing at all escapes
`suppress(Exception)`), nor the `yield` of a pytest fixture (pytest resumes a fixture to tear
it down and never closes it at the `yield`).
Entering `with` on a lock or a known resource is not a raising point either, a release under `if
not f.closed:`, `if f is not None:` or `if fd != -1:` (`fd >= 0`, `fd > 0`) runs on every path
that still holds the resource (a descriptor set to a negative sentinel once closed is not the
descriptor any more), and an exception that leaves a process body (a `multiprocessing.Process`
target, a script's entry point and the private functions or click commands it runs outside
`try`, a function whose source the module reads with
`inspect.getsource()` to run it in a new process, as mitogen's bootstrap does) ends the
process, which releases what it held. An `ExitStack`
lost before anything was entered on it or registered with it (a failed `enter_context` registers
nothing) holds nothing and is not reported. A finding whose every leaking path needs a statement
that almost never fails (a socket option, `chmod` on a file just created, a log handler's
formatter, a log call, creating a socket or a pipe, `os.fork()`, a constant index such as
`address[0]`, `inspect.iscoroutinefunction()`, `stat.S_ISREG()`, a typing alias such as
`IO[bytes]`, `all()`, `map()` or `filter()` (lazy: what consumes them decides), the head of
a loop over `d.items()` or a `range()`, `ntpath.join()`, a
regular expression function with a constant pattern, building a `threading.Thread`,
`click.style()`, a `write()` to the buffered file it opened of a constant or of a line
formatted there from a constant template (it goes to the buffer; a failing flush surfaces in
`close()`, which still closes; a whole text in a variable may not, and in the locale's encoding
only an ASCII constant is sure to encode), a `read()`, `seek()` or `tell()` of that file in
binary mode, a helper of the module that only does such things (also one defined in the
branches of a module-level `try` or `if`, and one that only sets descriptor flags with
`fcntl`) or catches the `OSError` its calls raise; a handler that forgets a resource stored
on `self` (`self._sock = None`) when only such statements follow it in the `try`) is still
reported, with severity `info` (`unlikely-severity` in the configuration); when a likely
failure also leaks, the message names that statement.

An instance of a project class inferred to be a resource (one whose `close()` releases what it
holds: "the `Archive` instance `a`") is reported with severity `info` (`unlikely-severity` in the
configuration) unless a statement that plausibly fails leaks it (I/O, a network call, parsing, a
callback, an `await`, a `raise`); the message says why: whether an instance holds anything open
depends on how it was made (over a stream it does not own, already closed by its constructor,
holding nothing until it connects), and the labeled samples of real code
(`bench/precision/calibrate.py`) found a fifth to a half of these findings wrong.

## Why it matters
Errors are exactly when programs retry, loop and run for a long time; every failed attempt
then leaks one handle. A long-running server that hits a bad request per minute runs out of
file descriptors within a day.

## Example
```python
def save(path, data):
    f = open(path, "w")
    f.write(serialise(data))  # if this raises, f stays open
    f.close()
```

## Use instead
```python
def save(path, data):
    with open(path, "w") as f:
        f.write(serialise(data))
```
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from unleak.findings.attribute_reset import dropped_by_handler
from unleak.findings.model import Finding
from unleak.settings import Severity

if TYPE_CHECKING:
    from unleak.findings.module import ModuleAnalysis

CODE = "UL102"
NAME = "not-released-on-exception"
SEVERITY = Severity.WARNING


def check(module: ModuleAnalysis) -> Iterable[Finding]:
    yield from module.leak_findings(CODE)
    yield from dropped_by_handler(module, CODE)


# What its fix does (unleak.fixes.registry builds it).
FIX = "Wrap in `with` (or `with lock:`), hoist an inline use, or release in `finally`."
