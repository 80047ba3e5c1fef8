"""Run unleak's command line from the libraries bundled with the VS Code extension.

The extension's *Trace leaks while running…* runs ``<python> -I bundled/tool/cli.py trace --
COMMAND...``, so that the trace uses the same unleak as the bundled language server (which
``server.py`` starts through this script). It puts ``bundled/libs`` first on ``sys.path`` and
runs ``python -m unleak`` with the given arguments. The traced command itself does not need
these libraries: ``unleak trace`` injects a bootstrap of standard-library code only.
"""

# Written to parse on old Pythons 3 too (no f-strings), so that they get the version message
# below rather than a SyntaxError.
# ruff: noqa: UP032, RUF005
import os
import runpy
import sys

MINIMUM = (3, 10)

if sys.version_info < MINIMUM:
    sys.stderr.write(
        "unleak needs Python {}.{} or newer, not {} ({})\n".format(
            MINIMUM[0], MINIMUM[1], sys.version.split()[0], sys.executable
        )
    )
    sys.exit(3)

LIBS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "libs")
if not os.path.isdir(os.path.join(LIBS, "unleak")):
    sys.stderr.write("unleak: no bundled libraries in {} (broken install?)\n".format(LIBS))
    sys.exit(3)
sys.path.insert(0, LIBS)
# No .pyc files inside the extension folder: it may be read-only, and they would outlive updates.
sys.dont_write_bytecode = True

sys.argv = ["unleak"] + sys.argv[1:]
runpy.run_module("unleak", run_name="__main__", alter_sys=True)
