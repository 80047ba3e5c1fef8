"""``unleak trace``: start tracing, then run the ``sitecustomize`` this one hides, if any.

Python imports the first ``sitecustomize`` on ``sys.path``; this directory comes first through
``PYTHONPATH``, so the one the environment would otherwise load is looked up past it.
"""

from __future__ import annotations

import importlib
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))


def _start() -> None:
    try:
        runtime = importlib.import_module("_unleak_runtime")
        runtime.install()
    except Exception as exc:  # tracing is best effort; the program must run regardless
        sys.stderr.write(f"unleak trace: tracing not started in this process: {exc!r}\n")


def _chain() -> None:
    """Run the next ``sitecustomize`` on the path, as Python would have without us."""
    import importlib.machinery
    import importlib.util

    path = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", path)
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    sys.modules["sitecustomize"] = module
    try:
        spec.loader.exec_module(module)
    except Exception:
        # site.py reports a failing sitecustomize the same way and carries on.
        import traceback

        sys.stderr.write("Error in sitecustomize; set PYTHONVERBOSE for traceback:\n")
        sys.stderr.write("".join(traceback.format_exception_only(*sys.exc_info()[:2])))


def _hide() -> None:
    """Take this directory off ``sys.path``: the program sees the path it would have seen."""
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]


_start()
_hide()
_chain()
