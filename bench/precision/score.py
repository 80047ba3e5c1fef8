"""Re-score the labeled precision sample against the current engine.

    .venv/bin/python bench/precision/score.py                  # both sets, re-runs unleak
    .venv/bin/python bench/precision/score.py heldout --stored # use bench/.work/findings as is
    .venv/bin/python bench/precision/score.py tuning --add-new 10   # append 10 new to label
    .venv/bin/python bench/precision/score.py heldout --json out.json

Re-runs unleak over the cached projects (fetch.py first), joins the current findings to the
labels by key, and prints, for warning-severity findings and for all findings:

- precision: labeled findings that are real leaks / labeled findings still reported;
- plausible: labeled findings that leak on a path that plausibly happens / the same;

each with a 95% Wilson interval, overall, per code and per project, plus a population-weighted
estimate (each project weighted by its number of current findings, since the sample is
stratified evenly over projects). Then it lists labeled findings that vanished (with their old
verdict: a vanished real leak is a recall loss) and new findings (not in SET_baseline.json)
that need labels. `--add-new N` appends a seeded stratified sample of N of the new findings,
unlabeled, to SET_labels.json and records all current findings in the baseline. `--top-up N`
appends a seeded stratified sample of N current warning findings that have no label yet,
new or not: a bigger sample of the same population (decide N before looking at the result).
Exit status: 0, or 2 if some sampled finding has no verdict yet.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from common import (
    DEFAULT_SETS,
    baseline_file,
    findings_file,
    labels_file,
    load_projects,
    read_json,
    run_unleak,
    write_json,
)
from sample import blank_label, draw, write_baseline

Z = 1.959964  # 95%


def wilson(k: float, n: float) -> tuple[float, float]:
    """95% Wilson score interval for k successes out of n (n may be an effective size)."""
    if n <= 0:
        return (0.0, 1.0)
    p = k / n
    denom = 1 + Z * Z / n
    centre = (p + Z * Z / (2 * n)) / denom
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def rate(k: int, n: int) -> str:
    if n == 0:
        return "    -"
    lo, hi = wilson(k, n)
    return f"{k / n:5.3f} [{lo:.3f}, {hi:.3f}] ({k}/{n})"


def is_leak(e: dict[str, Any]) -> bool:
    return bool(e["verdict"] == "leak")


def is_plausible(e: dict[str, Any]) -> bool:
    return bool(e["verdict"] == "leak" and e["plausible"] is True)


def weighted(
    entries: list[dict[str, Any]], population: dict[str, int], pred: Callable[[Any], bool]
) -> str:
    """Population-weighted estimate, Wilson interval on Kish's effective sample size."""
    by_project: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for e in entries:
        by_project[e["project"]].append(e)
    weights: list[tuple[float, bool]] = []
    for project, group in by_project.items():
        w = population.get(project, len(group)) / len(group)
        weights.extend((w, pred(e)) for e in group)
    total = sum(w for w, _ in weights)
    if not total:
        return "    -"
    p = sum(w for w, ok in weights if ok) / total
    n_eff = total * total / sum(w * w for w, _ in weights)
    lo, hi = wilson(p * n_eff, n_eff)
    return f"{p:5.3f} [{lo:.3f}, {hi:.3f}] (effective n {n_eff:.0f})"


def table(title: str, entries: list[dict[str, Any]], field: str) -> list[str]:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for e in entries:
        groups[e[field]].append(e)
    rows = [f"  by {field}:", f"    {title:<16} {'precision':<32} plausible"]
    for name in sorted(groups):
        g = groups[name]
        leaks = sum(map(is_leak, g))
        plaus = sum(map(is_plausible, g))
        rows.append(f"    {name:<16} {rate(leaks, len(g)):<32} {rate(plaus, len(g))}")
    return rows


def report(
    set_name: str, entries: list[dict[str, Any]], population: dict[str, int], scope: str
) -> list[str]:
    n = len(entries)
    leaks = sum(map(is_leak, entries))
    plaus = sum(map(is_plausible, entries))
    return [
        f"{set_name} — {scope}: {n} labeled findings still reported",
        f"  precision (real leaks / labeled):        {rate(leaks, n)}",
        f"  plausible (leak on a likely path / all): {rate(plaus, n)}",
        f"  population-weighted precision:           {weighted(entries, population, is_leak)}",
        f"  population-weighted plausible:           {weighted(entries, population, is_plausible)}",
        *table("code", entries, "code"),
        *table("project", entries, "project"),
    ]


def current_findings(set_name: str, stored: bool) -> list[dict[str, Any]]:
    if stored:
        found: list[dict[str, Any]] = read_json(findings_file(set_name))
        return found
    found = []
    for project in load_projects(set_name):
        found.extend(run_unleak(project))
    write_json(findings_file(set_name), found)
    return found


def lines_of(entries: Iterable[dict[str, Any]], with_label: bool) -> list[str]:
    out = []
    for e in entries:
        label = f"  [{e['verdict'] or 'unlabeled'}]" if with_label else ""
        out.append(f"    {e['project']}: {e['path']}:{e['line']} {e['code']} {e['message']}{label}")
    return out


def score(set_name: str, stored: bool, add_new: int, seed: int, top_up: int = 0) -> dict[str, Any]:
    labels = read_json(labels_file(set_name))
    found = current_findings(set_name, stored)
    warnings = [f for f in found if f["severity"] == "warning"]
    now = {f["key"]: f for f in found}
    population: dict[str, int] = defaultdict(int)
    for f in warnings:
        population[f["project"]] += 1

    present, vanished, unlabeled = [], [], []
    for e in labels["findings"]:
        cur = now.get(e["key"])
        if cur is None:
            vanished.append(e)
            continue
        e = {**e, "line": cur["line"], "message": cur["message"], "severity": cur["severity"]}
        (present if e["verdict"] else unlabeled).append(e)
    baseline = {row["key"] for row in read_json(baseline_file(set_name))}
    baseline |= {e["key"] for e in labels["findings"]}
    new = [f for f in warnings if f["key"] not in baseline]

    lines = report(set_name, [e for e in present if e["severity"] == "warning"], population,
                   "warning severity")  # fmt: skip
    if any(e["severity"] != "warning" for e in present):
        lines += report(set_name, present, population, "all severities")
    else:
        lines.append(f"{set_name} — all severities: the same (every finding is a warning)")
    lines.append(f"  current findings: {len(found)} ({len(warnings)} warnings)")
    lines.append(f"  vanished labeled findings: {len(vanished)}"
                 f" (real leaks among them: {sum(map(is_leak, vanished))})")  # fmt: skip
    lines += lines_of(vanished, True)
    lines.append(f"  sampled but not labeled yet: {len(unlabeled)}")
    lines += lines_of(unlabeled, True)
    lines.append(f"  new findings since the baseline (need labels): {len(new)}")
    lines += lines_of(new, False)
    print("\n".join(lines))

    if add_new and new:
        picked = draw(new, add_new, seed)
        today = date.today().isoformat()
        labels["findings"].extend(blank_label(f, today) for f in picked)
        labels["population"] = dict(sorted(population.items()))
        write_json(labels_file(set_name), labels)
        write_baseline(set_name, warnings)
        print(f"  added {len(picked)} new findings to {labels_file(set_name)}: label them")
    if top_up:
        labeled = {e["key"] for e in labels["findings"]}
        pool = [f for f in warnings if f["key"] not in labeled]
        picked = draw(pool, min(top_up, len(pool)), seed + 1)
        labels["findings"].extend(blank_label(f, date.today().isoformat()) for f in picked)
        labels["population"] = dict(sorted(population.items()))
        write_json(labels_file(set_name), labels)
        print(f"  topped up the sample with {len(picked)} of {len(pool)} unlabeled warnings")
    return {
        "set": set_name,
        "present": present,
        "vanished": vanished,
        "unlabeled": unlabeled,
        "new": new,
        "population": population,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", default=list(DEFAULT_SETS))
    parser.add_argument("--stored", action="store_true", help="don't re-run unleak")
    parser.add_argument("--add-new", type=int, default=0, metavar="N")
    parser.add_argument("--seed", type=int, default=20261206)
    parser.add_argument("--top-up", type=int, default=0, metavar="N")
    parser.add_argument("--json", metavar="PATH", help="also write the joined results here")
    args = parser.parse_args()
    results = []
    missing = 0
    for set_name in args.sets:
        result = score(set_name, args.stored, args.add_new, args.seed, args.top_up)
        missing += len(result["unlabeled"])
        results.append(result)
        print()
    if args.json:
        from pathlib import Path

        write_json(Path(args.json), results)
    sys.exit(2 if missing else 0)


if __name__ == "__main__":
    main()
