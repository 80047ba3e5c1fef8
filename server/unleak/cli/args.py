"""The command line: ``unleak check``, ``unleak trace``, ``unleak rules``, ``unleak server``,
``unleak --version``."""

from __future__ import annotations

import argparse

import unleak
from unleak.cli.formats import RENDERERS


def _jobs(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {value!r}") from None
    if n < 0:
        raise argparse.ArgumentTypeError("must be 0 (one per CPU) or more")
    return n


def _depth(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {value!r}") from None
    if n < 0:
        raise argparse.ArgumentTypeError("must be 0 (tracemalloc off) or more")
    return n


def _positive(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {value!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return n


def _codes(value: str) -> tuple[str, ...]:
    return tuple(c.strip() for c in value.split(",") if c.strip())


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="unleak",
        description="Find Python resources that are not released on every path.",
    )
    parser.add_argument("--version", action="version", version=f"unleak {unleak.__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = sub.add_parser("check", help="check files and directories for resource leaks")
    check.add_argument(
        "paths", nargs="*", metavar="PATH", help="files or directories (default: .); - for stdin"
    )
    check.add_argument("--format", choices=sorted(RENDERERS), default="text")
    check.add_argument(
        "--select", type=_codes, metavar="CODES", help="comma-separated codes or prefixes to report"
    )
    check.add_argument(
        "--extend-select",
        type=_codes,
        metavar="CODES",
        help="codes to report in addition to the selected ones (turns on rules that are off by "
        "default, e.g. UL109)",
    )
    check.add_argument(
        "--ignore", type=_codes, metavar="CODES", help="comma-separated codes or prefixes to skip"
    )
    config = check.add_mutually_exclusive_group()
    config.add_argument("--config", metavar="PATH", help="use this TOML file as configuration")
    config.add_argument(
        "--no-config", action="store_true", help="ignore pyproject.toml configuration"
    )
    check.add_argument(
        "--stdin-filename", metavar="NAME", help="read the source from stdin, report it as NAME"
    )
    check.add_argument(
        "--fix", action="store_true", help="apply safe fixes to the files (stdin: print the result)"
    )
    check.add_argument(
        "--unsafe-fixes",
        action="store_true",
        help="with --fix or --diff, apply unsafe fixes too; alone, show them as fixable",
    )
    check.add_argument(
        "--diff",
        action="store_true",
        help="print a unified diff of what --fix would change and write nothing "
        "(exit 1 if it would change something)",
    )
    check.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    check.add_argument(
        "--cache-dir",
        metavar="DIR",
        help="cache directory (default: .unleak_cache/ in the project root)",
    )
    check.add_argument(
        "--jobs", "-j", type=_jobs, default=0, metavar="N", help="worker processes (0: one per CPU)"
    )
    check.add_argument(
        "--exit-zero", action="store_true", help="exit 0 even when there are findings"
    )
    check.add_argument("--quiet", "-q", action="store_true", help="print findings only")
    check.add_argument(
        "--statistics", action="store_true", help="print the number of findings per rule"
    )
    check.add_argument(
        "--verbose",
        "-v",
        action="store_true",
        help="on stderr: files, cache hits, workers",
    )

    check.add_argument(
        "--trace",
        metavar="PATH",
        help="mark the findings that an `unleak trace` report (this file) saw leak at run time",
    )

    trace = sub.add_parser(
        "trace",
        help="run a Python command and report the resources it leaks at run time",
        usage="unleak trace [--output PATH] [options] -- COMMAND [ARGS ...]",
    )
    trace.add_argument(
        "--output",
        "-o",
        metavar="PATH",
        help="the JSON report (default: .unleak/trace.json in the project root)",
    )
    trace.add_argument(
        "--memory",
        action="store_true",
        help="also trace memory with tracemalloc: places that still hold --memory-min bytes "
        "at exit, and sites of objects no hook knows (slows the program several times)",
    )
    trace.add_argument(
        "--depth",
        type=_depth,
        default=None,
        metavar="N",
        help="tracemalloc frames per allocation (implies --memory; default with --memory: 1; "
        "each frame slows the program down)",
    )
    trace.add_argument(
        "--memory-min",
        type=_positive,
        default=None,
        metavar="BYTES",
        help="with --memory, report a place that still holds this much memory at exit "
        "(implies --memory; default: 262144)",
    )
    trace.add_argument(
        "--no-check",
        action="store_true",
        help="do not compare the runtime leaks with the static analysis",
    )
    trace.add_argument("--quiet", "-q", action="store_true", help="no summary on stderr")
    trace.add_argument(
        "--progress",
        action="store_true",
        help="a line on stderr as each process starts and ends, even when it is not a terminal",
    )
    trace.add_argument("cmd", nargs=argparse.REMAINDER, metavar="COMMAND", help=argparse.SUPPRESS)

    rules = sub.add_parser("rules", help="list the rules")
    rules.add_argument("--format", choices=("text", "json"), default="text")

    server = sub.add_parser("server", help="run the language server (LSP over stdio)")
    server.add_argument(
        "--stdio", action="store_true", help="speak LSP over stdin/stdout (the default)"
    )
    return parser
