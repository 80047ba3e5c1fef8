"""A resource is not released on a normal path through the function.

## What it does
Follows every path from where a file, socket, process, connection, executor or other resource
is acquired to where the function ends, and reports the resource when some path that raises no
exception (falling off the end, a `return`, a `break` or `continue`, rebinding or dropping the
only reference) leaves it open. An inline use such as `open(p).read()` or
`json.load(open(p))` drops the only reference at once and is reported too. So is a resource a
pytest fixture returns (or an object it made and stored the resource on, `worker.loop =
new_event_loop()`): pytest closes nothing a fixture returns, only what it tears down after a
`yield` or through `request.addfinalizer`. A generator fixture (like a `@contextmanager`) lends
what it yields: one it does not release after the `yield` is reported.

It does not report a resource that is handed on: returned or yielded, stored on an object or in
a container that outlives the function, passed to a wrapper that owns it (`io.TextIOWrapper`,
`contextlib.closing`), registered with `ExitStack`, `atexit`, `addCleanup` or
`weakref.finalize`, given to an event loop as its default executor (`loop.set_default_executor`:
`close()` shuts it down), or captured by a closure: its new owner releases it. Handing on what a
wrapper holds, its `handle`, `sock`, `socket` or `fp` attribute given to a call
(`Connection(client.handle)` for thrift's accepted `TSocket`), hands on the wrapper. A function
of the module that hands its parameter on inside a tuple or list (`Thread(target=relay,
args=(sock, peer))`, a loop over such pairs, `late.extend((sock, peer))`) takes it over too,
and so does one that returns it under another name, itself or inside a buffered wrapper
(`result = raw; if binary: result = io.BufferedReader(result); return result`). A process with
pipes given to a function of the module that waits for it and closes each of its pipes it uses
(`out = p.stdout ... out.close(); p.wait()`, python-gnupg's `_collect_output`) is released
there, as `communicate()` would; a process whose pipes are given to the constructor of a class
of the module that keeps them and closes them (datadog's reader threads,
`OutputReader(proc.stdout)` whose `run()` closes the pipe) has its pipes closed by hand, and
reaping it is enough. Nor a process
started in a session of its own (`start_new_session=True`, `process_group=`,
`preexec_fn=os.setsid`, or on Windows `creationflags=DETACHED_PROCESS` or
`CREATE_NEW_PROCESS_GROUP`, also through a name assigned them once) and never waited for on any
path (polling it to see whether it died at its start, reading its `pid` or `returncode`, is
not waiting for it): a daemon meant to outlive its
parent, nor one whose pid is written out (`pidfile.write(str(p.pid))`) for whoever reads the
pidfile to manage. Nor a path that ends the process (`sys.exit()`, `os._exit()`), which releases
everything, nor what a process body (a `multiprocessing.Process` target, the function a
script's `__main__` block calls, or a private function or click command that one runs as its
last statement) still holds when it ends: its lifetime is the process's, on
purpose. Nor resources that hold nothing yet or any more: an HTTP connection never connected (it
opens its socket lazily), a `requests` session or `httpx` client that never sent a request (it
connects on the first one), a paramiko `SSHClient` before `connect()` (only configured, it
holds no socket), an `ExitStack` nothing was entered on, the new stack of a
`stack.pop_all()` whose result is dropped (the documented way to cancel the cleanup once
everything succeeded), an archive written into an in-memory `BytesIO` or a text wrapper over
one (also of a class of the module derived from `BytesIO`, returned by a helper), a resource a
helper already closed or waited for before returning it, an instance of a class of the module
whose `__init__` ends by calling its own method that closes what it opened (`self._read()`),
the result of a function of the module that releases what it returns when a flag parameter is
true (`def probe_tcp(msg, close=True): ... finally: if close: conn.close()`), called with the
flag left at a true default or passed a true constant (`probe_tcp(msg)`; `probe_tcp(msg,
close=False)` is a socket to close), an instance of a project class that opens only a path and
uses a stream it is given as it is
(`if not hasattr(fileOrPath, "write"): self.file = open(fileOrPath, "wb")`) made over a
stream (`XMLWriter(sys.stdout)`, an in-memory buffer, an open file).
Nor what only looks like an acquisition: an awaited `accept()` whose result is dropped is
no socket (`await websocket.accept()` sends a handshake and returns None; trio's `conn, addr =
await sock.accept()` is one), nor `open(...)` in a function that binds the name `open` itself
(`open = webbrowser.get(b).open`, a nested `def open(url)`, a parameter other than
`open=open`) or in a function nested in one: it is not the builtin. Nor a daemon's new
standard input: an `os.open()` whose result is dropped after descriptor 0 was closed
(`os.closerange(0, maxfd)`) and that a later `os.dup2(0, 1)` uses by its number is descriptor
0, kept for the whole process on purpose.
Nor a path the code's own tests rule out: a
resource opened under a test and closed under the same test (`if IS_MACOS:` twice, or `if not
isfilelike(p):` and `if not os.path.isdir(p):` while `p` is not rebound) is closed on every path
that opened it; a method's answer (`self.is_open()`) may change in between, so it is not taken
to repeat. A constant assigned to a name decides its later tests against
constants (`kind = 1` rules out `if kind == 2:`); one stored on an attribute
(`self._exclusive_fp = True`) decides a later `if self._exclusive_fp:` until the attribute is
stored again (a method called in between is taken not to store it). A true `a or b` (a false
`a and b`) is remembered whole: a resource opened under `if a or b:` and handed on under `if a:`
and under `if b:` is handed on by one of them, unless `a` or `b` is rebound in between. A type
test rules out an
attribute test on the same name: where `isinstance(src, str)` (or `int`, `bytes`, `PurePath`,
`socket.socket`...) holds, `hasattr(src, "buffer")` does not. A resource still held has its
release method (`if hasattr(f, "close"): f.close()` closes it), and a file opened from a path
makes the path truthy (`open("")` raises: `if self.path is not None: f = open(self.path)` then
`if self.path: f.close()`). A method that stores what it opens on its instance and returns it
too (`self.socket = sock; return sock`) leaves it to the instance: a caller dropping the result
loses nothing. Nor the last statement of an `assertRaises` block, whose acquisition is expected
to fail (what the statements before it acquire was made). Nor an event loop's transport
(`create_connection()`, `connect_read_pipe()`, `subprocess_exec()`): the loop hands it to the
protocol the factory made, which closes it. A leak only on an exception path is UL102's.

Module-level code (a script, an `if __name__ == "__main__":` block) is followed the same way,
to the end of the module: a resource bound to a name that no function or class of the module
reads must be released by then. One the module keeps (read by its functions, declared
`global`, exported in `__all__`, named as a constant like `LOG`, or bound in the same
statement as such a name, `failures = x = {}`) lives as long as the module, on purpose, and so
does what module-level code stores in such a container (`x["SocketType"] = socket.socket()`);
so does what is open when the script ends serving (`serve_forever()`,
`run_forever()`, `mainloop()`). An exception out of module-level code ends the program and is
not a leak path; one that a module-level handler catches, after which the script goes on, is.

An instance of a project class inferred to be a resource (one whose `close()` releases what it
holds: "the `Archive` instance `a`") is reported with severity `info` (`unlikely-severity` in the
configuration), the message saying why: whether an instance holds anything open
depends on how it was made (over a stream it does not own, already closed by its constructor,
holding nothing until it connects), and the labeled samples of real code
(`bench/precision/calibrate.py`) found a fifth to a half of these findings wrong.

## Why it matters
An unreleased resource holds an operating-system handle (a file descriptor, a socket, a child
process, a database lock) until the garbage collector happens to finalise it: never, on
PyPy or in a reference cycle. Programs run out of descriptors, files are not flushed, child
processes become zombies, and CPython emits `ResourceWarning`.

## Example
```python
def first_line(path):
    f = open(path)
    line = f.readline()
    if not line:
        return None  # f is never closed on this path
    f.close()
    return line
```

## Use instead
```python
def first_line(path):
    with open(path) as f:
        line = f.readline()
    return line or None
```
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from unleak.findings.model import Finding
from unleak.settings import Severity

if TYPE_CHECKING:
    from unleak.findings.module import ModuleAnalysis

CODE = "UL101"
NAME = "not-released"
SEVERITY = Severity.WARNING


def check(module: ModuleAnalysis) -> Iterable[Finding]:
    return module.leak_findings(CODE)


# What its fix does (unleak.fixes.registry builds it).
FIX = "Wrap in `with` (or `with lock:`), hoist an inline use, or release in `finally`."
