"""``unleak trace``: start tracing, then run the ``sitecustomize`` this one hides, if any.

Python imports the first ``sitecustomize`` on ``sys.path``; this directory comes first through
``PYTHONPATH``, so the one the environment would otherwise load is looked up past it.

Any Python the traced command starts reads this file, old ones too: its syntax stays that of
Python 2.7 (type comments, no f-strings); tracing itself needs Python 3.8.
"""

import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))


def _start():  # type: () -> None
    if sys.version_info < (3, 8):  # noqa: UP036 - read by any Python the command starts
        return  # no audit hooks; run untraced
    try:
        import importlib

        runtime = importlib.import_module("_unleak_runtime")
        runtime.install()
    except Exception as exc:  # tracing is best effort; the program must run regardless
        message = "unleak trace: tracing not started in this process: %r\n" % (exc,)  # noqa: UP031
        sys.stderr.write(message)


def _hide():  # type: () -> None
    """Take this directory off ``sys.path``: the program sees the path it would have seen."""
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]


def _chain():  # type: () -> None
    """Run the next ``sitecustomize`` on the path, as Python would have without us."""
    if sys.version_info < (3, 4):  # noqa: UP036
        return
    import importlib.machinery
    import importlib.util

    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", list(sys.path))
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


_start()
_hide()
_chain()
