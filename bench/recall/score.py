"""Static recall against the runtime ground truth: which leak sites of sites.json does
`unleak check` find?

    .venv/bin/python bench/recall/score.py                    # every project of the snapshot
    .venv/bin/python bench/recall/score.py click sh           # some of them
    .venv/bin/python bench/recall/score.py --json OUT.json    # also the results as JSON
    .venv/bin/python bench/recall/score.py --no-misses        # the tables alone
    .venv/bin/python bench/recall/score.py --unleak "env PYTHONPATH=DIR/server python -m unleak"

Needs only the committed snapshot and the unpacked sources (downloaded again if missing;
--src DIR takes them from DIR/NAME-VERSION/ instead, as the tests do). Each project's library
and test files are checked in one `unleak check --format json --no-cache` run from the sdist's
root (the files are named one by one: bench/.work/ is gitignored here, so a directory walk
would skip them), with the project's own [tool.unleak] table if it has one and with
--no-config otherwise (else this repository's table, the nearest one above the sources,
would apply). A site is found, as unleak trace's crosscheck decides, when a finding in the
same file covers the line of one of the site's project frames with its acquisition
("acquired here" note, else the finding's own span). Misses are grouped by the cause
recorded for them in causes.toml.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shlex
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import tomllib
from fetch import ensure_sources
from projects import HERE, SITES_FILE, UNLEAK, Config, Project, load

SKIP_DIRS = {"__pycache__", ".git", ".tox", ".nox", ".venv", "venv", "build", "dist"}
TARGET_ALL, TARGET_LIBRARY = 0.80, 0.70
CAUSES_FILE = HERE / "causes.toml"
UNCLASSIFIED = "(no cause recorded in causes.toml)"
PARTS = ("all", "library", "test")
Span = tuple[int, int, str]  # first and last line of the acquisition, rule code


def python_files(project: Project, src: Path) -> list[str]:
    """The library and test files, relative to the source root, sorted, each once."""
    found: set[str] = set()
    for rel in (*project.library, *project.tests):
        base = src / rel
        if base.is_file():
            found.add(rel)
            continue
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS]
            for name in filenames:
                if name.endswith(".py"):
                    found.add(os.path.relpath(os.path.join(dirpath, name), src))
    return sorted(found)


def config_args(src: Path) -> list[str]:
    """unleak's default configuration search when the project has a [tool.unleak] table of
    its own; otherwise --no-config, since the nearest table above the sources is this
    repository's (which excludes bench/.work/)."""
    pyproject = src / "pyproject.toml"
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return ["--no-config"]
    return [] if "unleak" in data.get("tool", {}) else ["--no-config"]


def acquisition(finding: dict[str, Any]) -> tuple[int, int]:
    for related in finding.get("related") or []:
        if "acquired here" in related.get("message", ""):
            return related["line"], related["end_line"]
    return finding["line"], finding["end_line"]


def static_findings(project: Project, src: Path, unleak: list[str]) -> dict[str, list[Span]]:
    """Acquisition spans of unleak check's findings, by file relative to the source root."""
    files = python_files(project, src)
    check = [*unleak, "check", "--format", "json", "--no-cache", "--exit-zero"]
    proc = subprocess.run(
        [*check, *config_args(src), *files],
        cwd=src,
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


def source_line(src: Path, file: str, line: int) -> str:
    try:
        with (src / file).open(encoding="utf-8", errors="replace") as f:
            for number, text in enumerate(f, 1):
                if number == line:
                    return text.strip()
    except OSError:
        pass
    return ""


def _parts(sites: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Recall over all sites, those in library code and those in test code."""
    chosen = {
        "all": sites,
        "library": [s for s in sites if s["code"] == "library"],
        "test": [s for s in sites if s["code"] == "test"],
    }
    return {part: ratio(sum(s["found"] for s in g), len(g)) for part, g in chosen.items()}


def load_causes(path: Path = CAUSES_FILE) -> dict[str, dict[str, str]]:
    """project -> "file:line" -> why static analysis misses that site."""
    if not path.is_file():
        return {}
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return {name: {str(k): str(v) for k, v in table.items()} for name, table in data.items()}


def score_project(
    project: Project,
    entry: dict[str, Any],
    src: Path,
    causes: dict[str, str] | None = None,
    unleak: list[str] | None = None,
) -> dict[str, Any]:
    spans = static_findings(project, src, unleak or [str(UNLEAK)])
    causes = causes or {}
    sites = []
    for site in entry["sites"]:
        rules = rules_for(site, spans)
        sites.append({**site, "found": bool(rules), "rules": rules})
    misses = [
        {
            **s,
            "source": source_line(src, s["file"], s["line"]),
            "cause": causes.get(f"{s['file']}:{s['line']}", UNCLASSIFIED),
        }
        for s in sites
        if not s["found"]
    ]
    return {
        "version": project.version,
        "config": " ".join(config_args(src)) or "its own [tool.unleak]",
        **_parts(sites),
        "findings": sum(len(v) for v in spans.values()),
        "left_out": entry.get("left_out", {}),
        "misses": misses,
        "by_kind": {
            kind: _parts([s for s in sites if s["kind"] == kind])
            for kind in sorted({s["kind"] for s in sites})
        },
    }


def _add(ratios: list[dict[str, Any]]) -> dict[str, Any]:
    return ratio(sum(r["found"] for r in ratios), sum(r["sites"] for r in ratios))


def total_of(results: dict[str, dict[str, Any]]) -> dict[str, Any]:
    kinds = sorted({kind for r in results.values() for kind in r["by_kind"]})
    by_kind = {
        kind: {
            part: _add([r["by_kind"][kind][part] for r in results.values() if kind in r["by_kind"]])
            for part in PARTS
        }
        for kind in kinds
    }
    return {
        **{part: _add([r[part] for r in results.values()]) for part in PARTS},
        "by_kind": by_kind,
    }


def _cell(r: dict[str, Any]) -> str:
    if not r["sites"]:
        return f"{'-':<24}"
    return f"{r['found']:>3}/{r['sites']:<3} {r['recall']:.2f} [{r['low']:.2f}-{r['high']:.2f}]"


def _row(label: str, r: dict[str, Any]) -> str:
    return f"{label:<22} " + "   ".join(_cell(r[part]) for part in PARTS)


def render(results: dict[str, dict[str, Any]], total: dict[str, Any], misses: bool) -> str:
    head = f"{'project':<22} {'all sites':<24}   {'library':<24}   {'test':<24}"
    rule = "-" * len(head)
    lines = [head, rule]
    lines += [_row(f"{name}-{r['version']}", r) for name, r in results.items()]
    lines += [rule, _row("total", total), ""]
    lines += [f"{'resource kind':<22} {'all sites':<24}   {'library':<24}   {'test':<24}", rule]
    lines += [_row(kind, r) for kind, r in total["by_kind"].items()]
    lines.append("(found/sites recall [95% Wilson interval])")
    configs = Counter(r["config"] for r in results.values())
    lines.append("unleak check config: " + ", ".join(f"{c} ({n})" for c, n in configs.items()))
    for part, target in (("all", TARGET_ALL), ("library", TARGET_LIBRARY)):
        recall = total[part]["recall"]
        met = recall is not None and recall >= target
        lines.append(f"target {part}: recall >= {target:.2f}: {'met' if met else 'NOT met'}")
    if misses:
        lines += render_misses(results)
    return "\n".join(lines)


def render_misses(results: dict[str, dict[str, Any]]) -> list[str]:
    """The misses grouped by cause (largest group first), each with file:line and resource."""
    groups: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for name, r in results.items():
        for m in r["misses"]:
            groups.setdefault(m["cause"], []).append((name, m))
    lines = []
    order = sorted(groups, key=lambda c: (c == UNCLASSIFIED, -len(groups[c]), c))
    for cause in order:
        group = groups[cause]
        lines += ["", f"missed, {cause}: {len(group)}"]
        for name, m in group:
            where = f"{m['file']}:{m['line']}"
            lines.append(f"  {name} {where} {m['kind']} ({m['code']}) x{m['count']}")
            lines.append(f"      {m['message'][:150]}")
            lines.append(f"      > {m['source'][:150]}")
            outer = [f"{f}:{n}" for f, n, _ in m["frames"][1:4]]
            if outer:
                lines.append(f"      via {' <- '.join(outer)}")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="projects (default: all in the snapshot)")
    parser.add_argument("--sites", type=Path, default=SITES_FILE, help="the snapshot")
    parser.add_argument("--projects", type=Path, help="the project list (projects.toml)")
    parser.add_argument("--causes", type=Path, default=CAUSES_FILE, help="why sites are missed")
    parser.add_argument(
        "--src", type=Path, metavar="DIR", help="sources in DIR/NAME-VERSION/ (no download)"
    )
    parser.add_argument(
        "--unleak",
        default=str(UNLEAK),
        metavar="CMD",
        help="the unleak command to score (default: this repository's venv)",
    )
    parser.add_argument("--json", type=Path, metavar="OUT", help="write the results here")
    parser.add_argument("--no-misses", action="store_true", help="do not list the misses")
    ns = parser.parse_args()
    config: Config = load(ns.projects) if ns.projects else load()
    snapshot = json.loads(ns.sites.read_text(encoding="utf-8"))["projects"]
    causes = load_causes(ns.causes)
    names = ns.names or [p.name for p in config.projects if p.name in snapshot]
    results = {}
    for project in config.select(names):
        if project.name not in snapshot:
            print(f"{project.name}: not in {ns.sites}", file=sys.stderr)
            continue
        if snapshot[project.name]["version"] != project.version:
            print(f"{project.name}: snapshot is of another version", file=sys.stderr)
            continue
        src = ns.src / project.slug if ns.src else ensure_sources(project)
        entry = snapshot[project.name]
        unleak = shlex.split(ns.unleak)
        results[project.name] = score_project(project, entry, src, causes.get(project.name), unleak)
    total = total_of(results)
    print(render(results, total, not ns.no_misses))
    if ns.json:
        version = subprocess.run(
            [*shlex.split(ns.unleak), "--version"], capture_output=True, text=True
        )
        out = {"unleak": version.stdout.strip(), "total": total, "projects": results}
        ns.json.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
