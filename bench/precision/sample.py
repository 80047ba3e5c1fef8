"""Draw a seeded random sample of stored findings for labeling.

    .venv/bin/python bench/precision/sample.py heldout --size 112 --seed 20261206
    .venv/bin/python bench/precision/sample.py tuning --size 1000   # more than there are: all

Reads bench/.work/findings/SET.json (run findings.py first) and writes
bench/precision/SET_labels.json with empty `verdict`/`plausible`/`reason` fields, plus
bench/precision/SET_baseline.json (every finding's key at drawing time, so that score.py can
tell new findings from old). Refuses to overwrite a labels file that has verdicts unless
--force is given.

The sample is stratified by project: every project gets the same share, capped by its number
of findings (water-filling), so a project with hundreds of findings cannot crowd out the
others. score.py reports the sample's precision and a population-weighted estimate.
Only warning-severity findings are sampled (UL001 syntax errors are not leak findings).
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
from collections import defaultdict
from datetime import date
from typing import Any

from common import (
    REPO,
    SETS,
    baseline_file,
    findings_file,
    labels_file,
    read_json,
    unleak_command,
    write_json,
)

LABEL_FIELDS = ("verdict", "plausible", "reason")
KEEP_FIELDS = ("project", "path", "line", "code", "message", "severity", "function", "key")


def allocate(counts: dict[str, int], size: int) -> dict[str, int]:
    """Per-project sample sizes: an equal cap per project, raised until `size` is reached."""
    if size >= sum(counts.values()):
        return dict(counts)
    cap = 0
    while sum(min(n, cap) for n in counts.values()) < size:
        cap += 1
    alloc = {p: min(n, cap) for p, n in counts.items()}
    # Trim the overshoot from the largest projects (in name order, for determinism).
    over = sum(alloc.values()) - size
    for p in sorted(alloc, key=lambda p: (-counts[p], p)):
        if over and alloc[p] == cap:
            alloc[p] -= 1
            over -= 1
    return alloc


def draw(found: list[dict[str, Any]], size: int, seed: int) -> list[dict[str, Any]]:
    """A stratified seeded sample, in (project, path, line) order."""
    by_project: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for f in found:
        by_project[f["project"]].append(f)
    alloc = allocate({p: len(fs) for p, fs in by_project.items()}, size)
    rng = random.Random(seed)
    picked: list[dict[str, Any]] = []
    for project in sorted(by_project):
        pool = sorted(by_project[project], key=lambda f: f["key"])
        picked.extend(rng.sample(pool, alloc[project]))
    return sorted(picked, key=lambda f: (f["project"], f["path"], f["line"], f["key"]))


def blank_label(f: dict[str, Any], added: str) -> dict[str, Any]:
    entry = {k: f.get(k) for k in KEEP_FIELDS}
    entry.update(verdict="", plausible=None, reason="", added=added)
    return entry


def unleak_version() -> str:
    proc = subprocess.run([*unleak_command(), "--version"], capture_output=True, text=True)
    commit = subprocess.run(
        ["git", "-C", str(REPO), "log", "-1", "--format=%h"], capture_output=True, text=True
    )
    return f"{proc.stdout.strip()} (commit {commit.stdout.strip()})"


def leak_findings(set_name: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = read_json(findings_file(set_name))
    return [f for f in found if f["severity"] == "warning"]


def write_baseline(set_name: str, found: list[dict[str, Any]]) -> None:
    rows = sorted(({"key": f["key"], "project": f["project"]} for f in found), key=str)
    write_json(baseline_file(set_name), rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("set", choices=SETS)
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--seed", type=int, default=20261206)
    parser.add_argument("--force", action="store_true", help="overwrite labels that have verdicts")
    args = parser.parse_args()

    out = labels_file(args.set)
    if out.exists() and not args.force:
        old = read_json(out)
        if any(e.get("verdict") for e in old["findings"]):
            raise SystemExit(f"{out} has verdicts; use --force to draw a new sample")
    found = leak_findings(args.set)
    picked = draw(found, args.size, args.seed)
    today = date.today().isoformat()
    population: dict[str, int] = defaultdict(int)
    for f in found:
        population[f["project"]] += 1
    labels = {
        "set": args.set,
        "seed": args.seed,
        "drawn": today,
        "engine": unleak_version(),
        "population": dict(sorted(population.items())),
        "findings": [blank_label(f, today) for f in picked],
    }
    write_json(out, labels)
    write_baseline(args.set, found)
    print(f"{args.set}: {len(picked)} of {len(found)} findings -> {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
