"""Static recall against the runtime ground truth: which leak sites of sites.json does
`unleak check` find?

    .venv/bin/python bench/recall/score.py                    # every project of the snapshot
    .venv/bin/python bench/recall/score.py click sh           # some of them
    .venv/bin/python bench/recall/score.py --json OUT.json    # also the results as JSON
    .venv/bin/python bench/recall/score.py --no-misses        # the tables alone

Needs only the committed snapshot and the unpacked sources (downloaded again if missing).
Each project's library and test files are checked in one `unleak check --format json
--no-cache` run from the sdist's root (the files are named one by one: bench/.work/ is
gitignored here, so a directory walk would skip them). A site is found, as unleak trace's
crosscheck decides, when a finding in the same file covers the line of one of the site's
project frames with its acquisition ("acquired here" note, else the finding's own span).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from fetch import ensure_sources
from projects import SITES_FILE, UNLEAK, Config, Project, load

SKIP_DIRS = {"__pycache__", ".git", ".tox", ".nox", ".venv", "venv", "build", "dist"}
TARGET_ALL, TARGET_LIBRARY = 0.80, 0.70
Span = tuple[int, int, str]  # first and last line of the acquisition, rule code


def python_files(project: Project) -> list[str]:
    """The library and test files, relative to the source root, sorted, each once."""
    found: set[str] = set()
    for rel in (*project.library, *project.tests):
        base = project.src / rel
        if base.is_file():
            found.add(rel)
            continue
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS]
            for name in filenames:
                if name.endswith(".py"):
                    found.add(os.path.relpath(os.path.join(dirpath, name), project.src))
    return sorted(found)


def acquisition(finding: dict[str, Any]) -> tuple[int, int]:
    for related in finding.get("related") or []:
        if "acquired here" in related.get("message", ""):
            return related["line"], related["end_line"]
    return finding["line"], finding["end_line"]


def static_findings(project: Project) -> dict[str, list[Span]]:
    """Acquisition spans of unleak check's findings, by file relative to the source root."""
    files = python_files(project)
    # --no-config: the sources sit below this repository, whose configuration excludes them
    check = [str(UNLEAK), "check", "--format", "json", "--no-cache", "--no-config", "--exit-zero"]
    proc = subprocess.run(
        [*check, *files],
        cwd=project.src,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        error = proc.stderr.strip()[-2000:]
        raise RuntimeError(f"{project.slug}: unleak check exited {proc.returncode}: {error}")
    spans: dict[str, list[Span]] = {}
    for finding in json.loads(proc.stdout or "[]"):
        if finding.get("code") is None:  # a file that could not be checked
            print(f"{project.slug}: not checked: {finding['path']}", file=sys.stderr)
            continue
        path = os.path.normpath(finding["path"]).replace(os.sep, "/")
        first, last = acquisition(finding)
        spans.setdefault(path, []).append((first, last, finding["code"]))
    return spans


def rules_for(site: dict[str, Any], spans: dict[str, list[Span]]) -> list[str]:
    """The rules of the findings that cover one of the site's project frames."""
    return sorted(
        {
            code
            for file, line, _ in site["frames"]
            for first, last, code in spans.get(file, ())
            if first <= line <= last
        }
    )


def wilson(found: int, total: int, z: float = 1.96) -> tuple[float, float]:
    """The 95% Wilson score interval of found/total."""
    if total == 0:
        return 0.0, 1.0
    p = found / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / (1 + z * z / total)
    return max(0.0, centre - half), min(1.0, centre + half)


def ratio(found: int, total: int) -> dict[str, Any]:
    low, high = wilson(found, total)
    recall = found / total if total else None
    return {"found": found, "sites": total, "recall": recall, "low": low, "high": high}


def source_line(project: Project, file: str, line: int) -> str:
    try:
        with (project.src / file).open(encoding="utf-8", errors="replace") as f:
            for number, text in enumerate(f, 1):
                if number == line:
                    return text.strip()
    except OSError:
        pass
    return ""


def score_project(project: Project, entry: dict[str, Any]) -> dict[str, Any]:
    ensure_sources(project)
    spans = static_findings(project)
    sites = []
    for site in entry["sites"]:
        rules = rules_for(site, spans)
        sites.append({**site, "found": bool(rules), "rules": rules})
    library = [s for s in sites if s["code"] == "library"]
    misses = [
        {**s, "source": source_line(project, s["file"], s["line"])} for s in sites if not s["found"]
    ]
    return {
        "version": project.version,
        "all": ratio(sum(s["found"] for s in sites), len(sites)),
        "library": ratio(sum(s["found"] for s in library), len(library)),
        "test": ratio(
            sum(s["found"] for s in sites if s["code"] == "test"),
            sum(s["code"] == "test" for s in sites),
        ),
        "findings": sum(len(v) for v in spans.values()),
        "left_out": entry.get("left_out", {}),
        "misses": misses,
        "by_kind": _by_kind(sites),
    }


def _by_kind(sites: list[dict[str, Any]]) -> dict[str, list[int]]:
    total = Counter(s["kind"] for s in sites)
    found = Counter(s["kind"] for s in sites if s["found"])
    return {kind: [found[kind], total[kind]] for kind in sorted(total)}


def _cell(r: dict[str, Any]) -> str:
    if not r["sites"]:
        return f"{'-':>22}"
    return f"{r['found']:>3}/{r['sites']:<3} {r['recall']:.2f} [{r['low']:.2f}-{r['high']:.2f}]"


def total_of(results: dict[str, dict[str, Any]]) -> dict[str, Any]:
    def add(part: str) -> dict[str, Any]:
        return ratio(
            sum(r[part]["found"] for r in results.values()),
            sum(r[part]["sites"] for r in results.values()),
        )

    kinds: dict[str, list[int]] = {}
    for r in results.values():
        for kind, (found, total) in r["by_kind"].items():
            pair = kinds.setdefault(kind, [0, 0])
            pair[0] += found
            pair[1] += total
    return {
        "all": add("all"),
        "library": add("library"),
        "test": add("test"),
        "by_kind": dict(sorted(kinds.items())),
    }


def render(results: dict[str, dict[str, Any]], total: dict[str, Any], misses: bool) -> str:
    head = f"{'project':<22} {'all sites':<22}   {'library':<22}   {'test':<22}"
    lines = [head, "-" * len(head)]
    for name, r in results.items():
        label = f"{name}-{r['version']}"
        lines.append(f"{label:<22} {_cell(r['all'])}   {_cell(r['library'])}   {_cell(r['test'])}")
    lines.append("-" * len(head))
    lines.append(
        f"{'total':<22} {_cell(total['all'])}   {_cell(total['library'])}   {_cell(total['test'])}"
    )
    lines.append("(found/sites recall [95% Wilson interval])")
    kinds = ", ".join(f"{k} {f}/{t}" for k, (f, t) in total["by_kind"].items())
    lines.append(f"by kind: {kinds}")
    for part, target in (("all", TARGET_ALL), ("library", TARGET_LIBRARY)):
        recall = total[part]["recall"]
        met = recall is not None and recall >= target
        lines.append(f"target {part}: recall >= {target:.2f}: {'met' if met else 'NOT met'}")
    if misses:
        for name, r in results.items():
            if not r["misses"]:
                continue
            lines.append("")
            lines.append(f"{name}-{r['version']}: {len(r['misses'])} missed")
            for m in r["misses"]:
                lines.append(f"  {m['file']}:{m['line']} {m['kind']} ({m['code']}) x{m['count']}")
                lines.append(f"      {m['message'][:150]}")
                lines.append(f"      > {m['source'][:150]}")
                outer = [f"{f}:{n}" for f, n, _ in m["frames"][1:4]]
                if outer:
                    lines.append(f"      via {' <- '.join(outer)}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="projects (default: all in the snapshot)")
    parser.add_argument("--sites", type=Path, default=SITES_FILE, help="the snapshot")
    parser.add_argument("--json", type=Path, metavar="OUT", help="write the results here")
    parser.add_argument("--no-misses", action="store_true", help="do not list the misses")
    ns = parser.parse_args()
    config: Config = load()
    snapshot = json.loads(ns.sites.read_text(encoding="utf-8"))["projects"]
    names = ns.names or [p.name for p in config.projects if p.name in snapshot]
    results = {}
    for project in config.select(names):
        if project.name not in snapshot:
            print(f"{project.name}: not in {ns.sites}", file=sys.stderr)
            continue
        if snapshot[project.name]["version"] != project.version:
            print(f"{project.name}: snapshot is of another version", file=sys.stderr)
            continue
        results[project.name] = score_project(project, snapshot[project.name])
    total = total_of(results)
    print(render(results, total, not ns.no_misses))
    if ns.json:
        version = subprocess.run([str(UNLEAK), "--version"], capture_output=True, text=True)
        out = {"unleak": version.stdout.strip(), "total": total, "projects": results}
        ns.json.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
