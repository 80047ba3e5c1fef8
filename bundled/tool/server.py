"""Start unleak's language server from the libraries bundled with the VS Code extension.

The extension runs ``<python> -I bundled/tool/server.py``: ``-I`` keeps PYTHONPATH, the user's
site-packages and the current directory out. This runs ``cli.py`` (next to it, which puts
``bundled/libs`` first on ``sys.path`` and checks the Python version) as ``unleak server``;
any extra arguments go to ``unleak server``.
"""

# Written to parse on old Pythons 3 too, so that they get cli.py's version message.
# ruff: noqa: RUF005
import os
import runpy
import sys

sys.argv = [sys.argv[0], "server"] + sys.argv[1:]
runpy.run_path(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "cli.py"), run_name="__main__"
)
