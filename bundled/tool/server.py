"""Start unleak's language server from the libraries bundled with the VS Code extension.

The extension runs ``<python> -I bundled/tool/server.py``: ``-I`` keeps PYTHONPATH, the user's
site-packages and the current directory out, and this script puts ``bundled/libs`` (unleak,
pygls, lsprotocol, ... installed there when the .vsix was built) first on ``sys.path``, then
runs ``python -m unleak server``. Any extra arguments go to ``unleak server``.
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
        "unleak: the language server needs Python {}.{} or newer, not {} ({})\n".format(
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

sys.argv = ["unleak", "server"] + sys.argv[1:]
runpy.run_module("unleak", run_name="__main__", alter_sys=True)
