"""Run unleak over the library code of the precision projects and store the findings.

    .venv/bin/python bench/precision/findings.py            # heldout and tuning
    .venv/bin/python bench/precision/findings.py tuning     # one set (or any fresh* set)

Runs `unleak check --format json --no-cache --no-config` (under `nice`) over the library files
of each project (see the `library`/`exclude` entries of heldout.toml, tuning.toml and the
fresh*.toml files) and writes bench/.work/findings/SET.json: every finding with its project,
path (relative to the unpacked sdist), line, code, message, severity, enclosing function and
stable key.
Run fetch.py first. Set UNLEAK to use another unleak command.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from typing import Any

from common import DEFAULT_SETS, findings_file, load_projects, run_unleak, write_json


def collect(set_name: str, jobs: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for project in load_projects(set_name):
        start = time.monotonic()
        found = run_unleak(project, jobs=jobs)
        codes = Counter(f["code"] for f in found)
        took = time.monotonic() - start
        summary = ", ".join(f"{c} {n}" for c, n in sorted(codes.items()))
        print(f"{project.pin}: {len(found)} findings ({summary}) in {took:.0f}s", file=sys.stderr)
        out.extend(found)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", default=list(DEFAULT_SETS))
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    for set_name in args.sets:
        found = collect(set_name, args.jobs)
        write_json(findings_file(set_name), found)
        print(f"{set_name}: {len(found)} findings -> {findings_file(set_name)}", file=sys.stderr)


if __name__ == "__main__":
    main()
