"""Starting the language server: ``unleak server`` and ``python -m unleak.lsp``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--stdio", action="store_true", help="speak LSP over stdin/stdout (the default)"
    )


def run_server(argv: Sequence[str] | None = None) -> int:
    """Serve LSP on stdin/stdout until the client says exit. Nothing but protocol messages
    reaches stdout: anything else that prints goes to stderr."""
    if argv is not None:
        parser = argparse.ArgumentParser(prog="unleak server")
        add_arguments(parser)
        parser.parse_args(argv)
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr
    from unleak.lsp.server import create_server

    server = create_server()
    server.start_io(stdin, stdout)
    return 0
