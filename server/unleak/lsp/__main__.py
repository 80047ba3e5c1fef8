"""Allow ``python -m unleak.lsp``."""

import sys

from unleak.lsp.entry import run_server

raise SystemExit(run_server(sys.argv[1:]))
