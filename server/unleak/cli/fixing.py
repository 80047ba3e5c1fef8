"""``--fix`` and ``--diff`` for one file, in the worker that analyses it.

The fixed text is encoded back in the file's own encoding (a BOM stays, a coding cookie's
encoding is kept) and keeps its line endings: the fixes edit the decoded text, whose line
breaks are the file's, and inserted line breaks take the file's style.
"""

from __future__ import annotations

import hashlib
import os
import tokenize
from io import BytesIO
from typing import TYPE_CHECKING, NamedTuple

from unleak.cli.linediff import unified_lines
from unleak.cli.signals import held_back
from unleak.source.notebook import is_notebook

if TYPE_CHECKING:
    from unleak.cli.analysis import Outcome, Task
    from unleak.pipeline.fix_loop import FixResult


class FixMode(NamedTuple):
    unsafe: bool = False  # apply unsafe fixes too
    write: bool = True  # write fixed files back (False for --diff)
    diff: bool = False  # describe the changes as a unified diff


def source_encoding(data: bytes) -> str:
    """The encoding the source was decoded with (``utf-8-sig`` when it has a BOM)."""
    encoding, _ = tokenize.detect_encoding(BytesIO(data).readline)
    return encoding


_BREAKS = ("\r\n", "\r", "\n")


def _lines(text: str) -> list[str]:
    """Lines with their line breaks, split as Python splits them."""
    lines: list[str] = []
    start = 0
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\n" or c == "\r":
            i += 2 if text.startswith("\r\n", i) else 1
            lines.append(text[start:i])
            start = i
        else:
            i += 1
    if start < n:
        lines.append(text[start:])
    return lines


def unified_diff(display: str, old: str, new: str) -> str:
    """A ``diff -u`` of two versions of a file, marking a last line without a line break."""
    out: list[str] = []
    for line in unified_lines(_lines(old), _lines(new), display, display):
        if line.endswith(_BREAKS):
            out.append(line)
        else:
            out.append(line + "\n\\ No newline at end of file\n")
    return "".join(out)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _unchanged_since(path: str, size: int, mtime_ns: int) -> bool:
    try:
        st = os.stat(path)
    except OSError:
        return False
    return (st.st_size, st.st_mtime_ns) == (size, mtime_ns)


def _write(path: str, data: bytes) -> tuple[int, int]:
    """Rewrite the file in place (same inode: permissions, owner and links stay). Ctrl-C
    waits until it is written: between truncating and writing, it would empty the file."""
    with held_back(), open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        st = os.fstat(fh.fileno())
    return st.st_size, st.st_mtime_ns


def _outcome(result: FixResult, size: int, mtime_ns: int, digest: str, applied: int = 0) -> Outcome:
    from unleak.cli.analysis import analysed

    return analysed(size, mtime_ns, digest, result.remaining, result.summary, applied)


def fix_task(task: Task, data: bytes, size: int, mtime_ns: int) -> Outcome:
    """Fix one file's text; write it back, or describe the change, as the mode says.

    The outcome's findings are those left after fixing. Its identity (size, mtime, digest)
    is the file's as it is now on disk: rewritten, or as it was read.
    """
    from unleak.cli.analysis import Failure, decode, failed, guarded, run_task
    from unleak.pipeline.fix_loop import fix_source

    if is_notebook(task.display):
        return fix_notebook_task(task, data, size, mtime_ns)
    mode = task.fix
    assert mode is not None
    digest = _digest(data)
    text = decode(data)
    if isinstance(text, Failure):
        return failed(text.message, size, mtime_ns, digest)
    result = guarded(
        lambda: fix_source(
            text, task.display, task.settings, unsafe=mode.unsafe, module_name=task.module
        )
    )
    if isinstance(result, Failure):
        return failed(result.message, size, mtime_ns, digest)
    if not result.applied:
        return _outcome(result, size, mtime_ns, digest)
    try:
        new_data = result.text.encode(source_encoding(data))
    except (UnicodeEncodeError, LookupError, SyntaxError):
        # A fix brought in a character the file's encoding cannot hold: check, do not fix.
        checked = run_task(task._replace(data=data, fix=None))
        return checked._replace(size=size, mtime_ns=mtime_ns)
    applied = len(result.applied)
    outcome = _outcome(result, size, mtime_ns, digest, applied)
    return _deliver(task, outcome, text, result.text, new_data, size, mtime_ns)


def _deliver(
    task: Task,
    outcome: Outcome,
    text: str,
    new_text: str,
    new_data: bytes,
    size: int,
    mtime_ns: int,
) -> Outcome:
    """The fixed file written back, or its change described, as the mode says."""
    from unleak.cli.analysis import failed

    mode = task.fix
    assert mode is not None
    if mode.diff:
        outcome = outcome._replace(diff=unified_diff(task.display, text, new_text))
    if task.path is None:
        return outcome._replace(fixed=new_data)
    if not mode.write:
        return outcome
    if not _unchanged_since(task.path, size, mtime_ns):
        return failed("file changed while it was being fixed; fixes not written", -1, -1)
    try:
        new_size, new_mtime = _write(task.path, new_data)
    except OSError as exc:
        return failed(f"cannot write fixes: {exc.strerror or exc}", -1, -1)
    return outcome._replace(size=new_size, mtime_ns=new_mtime, digest=_digest(new_data))


def fix_notebook_task(task: Task, data: bytes, size: int, mtime_ns: int) -> Outcome:
    """Fix a notebook's code cells, keeping the rest of its JSON as it was.

    The cells are fixed as one module (:class:`~unleak.source.notebook.FixableNotebook`); a
    fix crossing a cell's edge, or a notebook whose JSON layout cannot be written back byte
    for byte but for the cells' sources, leaves the notebook as it is (checked, not fixed).
    """
    from unleak.cli.analysis import Failure, guarded, run_task
    from unleak.cli.notebook_json import NotebookJson
    from unleak.pipeline.fix_loop import fix_source
    from unleak.source.notebook import FixableNotebook, NotebookError

    mode = task.fix
    assert mode is not None

    def check_only(data: bytes) -> Outcome:
        checked = run_task(task._replace(data=data, fix=None))
        return checked._replace(size=size, mtime_ns=mtime_ns)

    try:
        notebook = NotebookJson.parse(data)
    except NotebookError:
        return check_only(data)  # says why it cannot be read
    fixable = FixableNotebook.of(notebook.sources())
    result = guarded(
        lambda: fix_source(
            fixable.text, task.display, task.settings, unsafe=mode.unsafe, module_name=task.module
        )
    )
    if isinstance(result, Failure) or not result.applied:
        return check_only(data)
    sources = fixable.split(result.text)
    new_data = notebook.with_sources(sources) if sources is not None else None
    if new_data is None:
        return check_only(data)
    checked = run_task(task._replace(data=new_data, fix=None))
    if checked.error is not None:
        return check_only(data)
    outcome = checked._replace(
        size=size, mtime_ns=mtime_ns, digest=_digest(data), applied=len(result.applied)
    )
    old_text = data.decode("utf-8-sig")
    return _deliver(task, outcome, old_text, new_data.decode("utf-8-sig"), new_data, size, mtime_ns)
