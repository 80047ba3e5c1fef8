"""Summarising a workspace's files for the project index in a child process.

A summary is computed from the file alone, so the build of a folder's index can run in
another process: the server's own threads then never wait for the interpreter lock while it
runs (a document opened during the build gets its diagnostics as fast as with no index), and
the child, at a lower priority, gives way to the editor's work on a busy machine. Summaries
come back as plain data (as `unleak check`'s workers send them).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys
import warnings
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from unleak.lsp.logs import logger
from unleak.settings import ExtraResource

# Files per task sent to the child: few enough that results (and progress) come steadily.
BATCH = 16
# The child's niceness relative to the server: editing comes first.
NICENESS = 10

# (path, size, mtime_ns, the summary as data or None)
Summarised = tuple[str, int, int, "list[Any] | None"]


def _prepare_child() -> None:
    # The server's stdout is the protocol's channel: nothing the child writes may go there.
    with contextlib.suppress(OSError, ValueError):
        sys.stdout.flush()
        os.dup2(2, 1)
        sys.stdout = sys.stderr
    with contextlib.suppress(OSError):
        os.nice(NICENESS)
    warnings.simplefilter("ignore")  # the user's code: invalid escapes and the like


def summarise_batch(
    batch: Sequence[tuple[str, str]], extra_resources: tuple[ExtraResource, ...]
) -> list[Summarised]:
    """Each (path, module name) of ``batch`` read and summarised; size and mtime as read, or
    -1 when the file cannot be read."""
    from unleak.lsp.indexing import Indexer

    out: list[Summarised] = []
    for path, name in batch:
        try:
            with open(path, "rb") as fh:
                st = os.fstat(fh.fileno())
                data = fh.read()
        except OSError:
            out.append((path, -1, -1, None))
            continue
        summary = Indexer.summarise_data(data, path, name, extra_resources)
        data_out = summary.to_data() if summary is not None else None
        out.append((path, st.st_size, st.st_mtime_ns, data_out))
    return out


class ChildSummaries:
    """A child process that summarises files, started when a build needs it; None of its
    failures is the user's: on any, `run` stops and the caller summarises the rest itself."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None

    def run(
        self, todo: Sequence[tuple[str, str]], extra_resources: tuple[ExtraResource, ...]
    ) -> Iterator[Summarised]:
        """The summaries of ``todo``, in order, until the child fails (then it stops early)."""
        pool = self._start()
        if pool is None:
            return
        batches = [todo[i : i + BATCH] for i in range(0, len(todo), BATCH)]
        futures: list[Future[list[Summarised]]] = []
        try:
            # Two batches in flight: the child always has the next one at hand.
            for batch in batches[:2]:
                futures.append(pool.submit(summarise_batch, batch, extra_resources))
            for n in range(len(batches)):
                if n + 2 < len(batches):
                    futures.append(pool.submit(summarise_batch, batches[n + 2], extra_resources))
                yield from futures[n].result()
        except (BrokenProcessPool, OSError, RuntimeError) as exc:
            logger.info("unleak: the indexing process failed (%s); indexing in the server", exc)
            self.close()
        finally:
            for future in futures:
                future.cancel()

    def _start(self) -> ProcessPoolExecutor | None:
        if self._pool is None:
            try:
                # Not fork: the server has threads running (and their locks).
                context = multiprocessing.get_context("spawn")
                self._pool = ProcessPoolExecutor(1, mp_context=context, initializer=_prepare_child)
            except (OSError, ValueError, RuntimeError) as exc:
                logger.info("unleak: cannot start an indexing process (%s)", exc)
                return None
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
