"""Entry point: ``unleak`` console script and ``python -m unleak``."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from unleak.cli.args import build_parser
from unleak.cli.check import EXIT_ERROR, UsageError, run_check
from unleak.cli.signals import sigterm_as_exit
from unleak.config import ConfigError


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        ns = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits on --help, --version and usage errors
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else EXIT_ERROR)
    try:
        if ns.command == "check":
            with sigterm_as_exit():
                return run_check(ns)
        if ns.command == "trace":
            from unleak.cli.trace_cmd import run_trace  # only when tracing

            return run_trace(ns)
        if ns.command == "rules":
            from unleak.cli.rules_cmd import render_rules  # the registry, only when asked

            sys.stdout.write(render_rules(ns.format))
            return 0
        if ns.command == "server":
            from unleak.lsp.entry import run_server  # pygls, only for the language server

            return run_server()
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    except (ConfigError, UsageError) as exc:
        print(f"unleak: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("unleak: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (``| head``); silence the second error Python would print.
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, sys.stdout.fileno())
        finally:
            os.close(devnull)
        return 1
    except Exception as exc:  # never a traceback for the user; say what broke
        print(f"unleak: error: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    raise SystemExit(main())
