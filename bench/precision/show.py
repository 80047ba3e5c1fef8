"""Print sampled findings with their enclosing function, for a labeler.

    .venv/bin/python bench/precision/show.py heldout            # unlabeled findings only
    .venv/bin/python bench/precision/show.py tuning --all --from 10 --count 5
    .venv/bin/python bench/precision/show.py fresh5 --keys half_A.txt  # listed keys, one a line

Each finding is printed as its index in SET_labels.json, location, code and message, its
enclosing function and key, then the source of the enclosing function (the reported line
marked with >>), at most --context lines before and after the reported line.
"""

from __future__ import annotations

import argparse
import ast
from pathlib import Path

from common import SETS, labels_file, load_projects, read_json


def function_span(path: Path, line: int) -> tuple[int, int]:
    """First and last line of the innermost function around `line` (whole file if none)."""
    source = path.read_text(encoding="utf-8", errors="replace")
    span = (1, len(source.splitlines()))
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            last = node.end_lineno or node.lineno
            if node.lineno <= line <= last and node.lineno >= span[0] and last <= span[1]:
                span = (node.lineno, last)
    return span


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("set", choices=SETS)
    parser.add_argument("--all", action="store_true", help="labeled findings too")
    parser.add_argument("--from", dest="start", type=int, default=0)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--context", type=int, default=40)
    parser.add_argument("--keys", type=Path, help="only the findings whose keys this file lists")
    args = parser.parse_args()
    roots = {p.name: p.root for p in load_projects(args.set)}
    entries = read_json(labels_file(args.set))["findings"]
    if args.keys:
        # A labeler's share of the sample: keys, one a line, each of which must be sampled.
        wanted = {k for k in args.keys.read_text(encoding="utf-8").splitlines() if k.strip()}
        if missing := wanted - {e["key"] for e in entries}:
            raise SystemExit(f"not in {labels_file(args.set).name}: {sorted(missing)}")
    shown = 0
    for i, e in enumerate(entries):
        if i < args.start or shown >= args.count or (e["verdict"] and not args.all):
            continue
        if args.keys and e["key"] not in wanted:
            continue
        shown += 1
        path = roots[e["project"]] / e["path"]
        print(f"### [{i}] {e['project']} {e['path']}:{e['line']} {e['code']} {e['message']}")
        print(f"    in {e['function'] or '(module level)'}; key {e['key']}")
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        first, last = function_span(path, e["line"])
        first = max(first, e["line"] - args.context)
        last = min(last, e["line"] + args.context)
        for n in range(first, last + 1):
            mark = ">>" if n == e["line"] else "  "
            print(f"{mark}{n:5} {lines[n - 1]}")
        print()


if __name__ == "__main__":
    main()
