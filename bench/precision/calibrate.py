"""Which general classes of findings are unreliable, from every labeled set together.

    PYTHONPATH=server .venv/bin/python bench/precision/calibrate.py             # every set
    PYTHONPATH=server .venv/bin/python bench/precision/calibrate.py --loso      # + leave-one-out
    PYTHONPATH=server .venv/bin/python bench/precision/calibrate.py --severity all
    PYTHONPATH=server .venv/bin/python bench/precision/calibrate.py --as-labeled  # as sampled
    PYTHONPATH=server .venv/bin/python bench/precision/calibrate.py --show "code=UL105"
    PYTHONPATH=server .venv/bin/python bench/precision/calibrate.py --loso --findings A --after B

Joins each set's labels (SET_labels.json) with the stored findings of the current engine
(bench/.work/findings/SET.json, from findings.py or score.py) by key, and gives each finding
features the engine can know from the finding and its source: rule code, resource kind, the
leaking path (an exception, a `raise` statement, a normal return, a reassignment, a dropped
value), the named raiser's rank (`catalogue/failure_rank.py`: likely, unknown, weak) and where
its callee lives (this module, another module of the project, the standard library, a method
of an object the function does not own), and what the function is (a method, private, public,
`main`-like; a module run as a program). Prints precision and plausible rate per feature value
(and per pair of the path with the others), with 95% Wilson intervals and counts.

`--loso`: for each set S, the classes (feature values, n >= --min-n) whose precision on the
other sets is below --threshold, and S's precision with those classes' findings lowered to
information: the honest estimate of what lowering them does on code not yet seen. With
`--after DIR` (and --findings the engine before), the same estimate for what another engine
lowers: a finding it lowers counts only in the sets whose fold chose one of its classes.

The raiser's rank imports the engine's catalogue (PYTHONPATH=server); nothing else does.
"""

from __future__ import annotations

import argparse
import ast
import builtins
import re
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any

from common import SETS, findings_file, labels_file, load_projects, read_json
from score import is_leak, is_plausible, wilson

Features = dict[str, str]
_RANKS = ("likely", "unknown", "weak")
_MAIN_NAMES = re.compile(r"_*(main|cli|run|serve|serve_forever|start|command|entry|entrypoint)_*$")
_KINDS = re.compile(r"^(?:The |`[^`]*` \()?(.*?)(?: `[^`]*`)? (?:opened|created|started|from)")


# ---- the finding's source ---------------------------------------------------------------


@cache
def _tree(path: Path) -> ast.Module | None:
    try:
        return ast.parse(path.read_bytes())
    except (SyntaxError, ValueError, OSError):
        return None


@cache
def _lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []


@cache
def _imports(path: Path) -> dict[str, str]:
    """Local name -> qualified name, from the module's imports (relative ones under '.')."""
    tree = _tree(path)
    out: dict[str, str] = {}
    for node in ast.walk(tree) if tree else ():
        if isinstance(node, ast.Import):
            for a in node.names:
                top = a.name.partition(".")[0]
                out[a.asname or top] = a.name if a.asname else top
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            for a in node.names:
                out[a.asname or a.name] = f"{base}.{a.name}" if base else a.name
    return out


@cache
def _module_defs(path: Path) -> frozenset[str]:
    """Names of every function and method defined in the module."""
    tree = _tree(path)
    return frozenset(
        n.name
        for n in (ast.walk(tree) if tree else ())
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
    )


@cache
def _runs_as_program(path: Path) -> bool:
    """`__main__.py`, or a module with `if __name__ == "__main__":`."""
    if path.name == "__main__.py":
        return True
    return any("__name__" in line and "__main__" in line for line in _lines(path))


def _qualifier(path: Path) -> Callable[[ast.expr], str | None]:
    imports = _imports(path)
    defs = _module_defs(path)

    def qualify(node: ast.expr) -> str | None:
        if isinstance(node, ast.Name):
            if node.id in imports:
                return imports[node.id]
            if node.id in defs:
                return f"<module>.{node.id}"
            return f"builtins.{node.id}" if hasattr(builtins, node.id) else None
        if isinstance(node, ast.Attribute):
            base = qualify(node.value)
            return f"{base}.{node.attr}" if base else None
        return None

    return qualify


# ---- features ---------------------------------------------------------------------------


def _path_kind(code: str, message: str) -> str:
    if code == "UL108":
        return "task"
    if code == "UL109":
        return "cache"
    if code in ("UL106", "UL104", "UL103", "UL110"):
        return code
    if code == "UL107":
        return "reassign"
    if "handler on line" in message and "drops it" in message:
        return "handler-drops"
    if re.search(r"when the `[^`]*` on line \d+ runs", message):
        return "raise-stmt"
    if " raises" in message or "exception is raised" in message:
        return "exception"
    if "not kept in a variable" in message or "dropped at once" in message:
        return "dropped"
    return "return"


def _kind(code: str, message: str) -> str:
    if code == "UL105":
        return "lock"
    if code == "UL108":
        return "task"
    m = re.search(r" keeps the (.*?) (?:opened|created|started) ", message)  # UL106
    m = m or _KINDS.match(message)
    kind = m.group(1).strip() if m else "?"
    if "instance" in kind:
        return "instance"
    return kind[:30] or "?"


def _raiser(message: str, path: Path) -> ast.AST | None:
    """The expression or statement the message names as raising."""
    m = re.search(r"`([^`]*)` on line (\d+) raises", message)
    text, line = (m.group(1), int(m.group(2))) if m else (None, None)
    if text is None:
        m = re.search(r"(?:exception is raised on|if) line (\d+)(?: raises)?", message)
        if not m:
            return None
        line = int(m.group(1))
        lines = _lines(path)
        text = lines[line - 1].strip() if 0 < line <= len(lines) else ""
        text = text.rstrip(":").removeprefix("return ").removeprefix("yield ")
        for head in ("if ", "elif ", "while ", "with ", "for "):
            text = text.removeprefix(head)
    text = text.replace("...", "_")
    try:
        return ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        try:
            return ast.parse(text.strip()).body[0]
        except (SyntaxError, IndexError):
            return None


def _rank(node: ast.AST | None, path: Path) -> str:
    if node is None:
        return "?"
    from unleak.catalogue.failure_rank import failure_rank  # the engine's own ranking

    return _RANKS[failure_rank(node, _qualifier(path))]


def _callee_place(node: ast.AST | None, path: Path, project: str) -> str:
    """Where the raiser's call lives: this module, the project, the standard library,
    another library, a method of `self`, a method of some other object."""
    if node is None:
        return "?"
    calls = [n for n in ast.walk(node) if isinstance(n, ast.Call)]
    if not calls:
        return "no-call"
    func = calls[0].func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in (
        "self",
        "cls",
    ):
        return "self-method" if func.attr in _module_defs(path) else "self-inherited"
    qual = _qualifier(path)(func)
    if qual is None:
        return "object-method" if isinstance(func, ast.Attribute) else "unknown"
    if qual.startswith("<module>."):
        return "same-module"
    if qual.startswith("builtins."):
        return "builtin"
    root = qual.lstrip(".").partition(".")[0]
    if qual.startswith(".") or root.lower().replace("-", "_") in project.lower().replace("-", "_"):
        return "project"
    return "stdlib" if root in sys.stdlib_module_names else "library"


def _function_role(function: str, path: Path, line: int) -> str:
    parts = function.split(".") if function else []
    name = parts[-1] if parts else ""
    if not name:
        return "module-level"
    if _MAIN_NAMES.match(name):
        return "main-like"
    if name.startswith("__") and name.endswith("__"):
        return "dunder"
    tree = _tree(path)
    classes = {n.name for n in ast.walk(tree) if isinstance(n, ast.ClassDef)} if tree else set()
    method = len(parts) > 1 and parts[-2] in classes
    private = name.startswith("_")
    return ("method" if method else "function") + ("-private" if private else "-public")


def features(entry: dict[str, Any], root: Path) -> Features:
    path = root / entry["path"]
    code, message = entry["code"], entry["message"]
    raiser = _raiser(message, path)
    flow = _path_kind(code, message)
    return {
        "code": code,
        "kind": _kind(code, message),
        "path": flow,
        "rank": _rank(raiser, path) if flow in ("exception", "reassign") else "-",
        "callee": _callee_place(raiser, path, entry["project"]) if flow == "exception" else "-",
        "function": _function_role(entry.get("function", ""), path, entry["line"]),
        "program": "program" if _runs_as_program(path) else "library",
        "cli-path": "cli-path"
        if re.search(r"(^|/)(cli|scripts?|commands?|bin|tools|__main__)(/|\.py$)", entry["path"])
        else "other",
    }


PAIRS = (("path", "rank"), ("path", "callee"), ("path", "function"), ("kind", "path"),
         ("code", "path"), ("code", "rank"), ("kind", "rank"), ("rank", "callee"),
         ("rank", "function"))  # fmt: skip


def classes(feats: Features) -> list[str]:
    """Every class a finding is in: one per feature value, one per pair in PAIRS."""
    out = [f"{k}={v}" for k, v in feats.items()]
    out += [f"{a}={feats[a]} & {b}={feats[b]}" for a, b in PAIRS]
    return out


# ---- joining and scoring ----------------------------------------------------------------


def joined(
    set_name: str, severity: str, as_labeled: bool = False, stored: Path | None = None
) -> list[dict[str, Any]]:
    """Labeled findings the stored findings still report (at ``severity``, or any); with
    ``as_labeled``, every labeled finding as it was sampled (its message then: the engine
    that had not seen the set yet)."""
    roots = {p.name: p.root for p in load_projects(set_name)}
    found = stored / f"{set_name}.json" if stored else findings_file(set_name)
    now = {} if as_labeled else {f["key"]: f for f in read_json(found)}
    out = []
    for e in read_json(labels_file(set_name))["findings"]:
        cur = e if as_labeled else now.get(e["key"])
        if cur is None or not e["verdict"]:
            continue
        if severity != "all" and cur["severity"] != severity:
            continue
        row = {**e, "line": cur["line"], "message": cur["message"], "set": set_name}
        row["features"] = features(row, roots[e["project"]])
        row["classes"] = classes(row["features"])
        out.append(row)
    return out


def rate(k: int, n: int) -> str:
    lo, hi = wilson(k, n)
    return f"{k / n:5.3f} [{lo:.3f}, {hi:.3f}] {k:>3}/{n:<3}" if n else "-"


def by_class(rows: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        for c in r["classes"]:
            groups[c].append(r)
    return groups


# Classes the leave-one-set-out choice may pick: built from what the engine decides severity
# with (the rule, the resource's kind, the leaking path, the raiser's rank), not from the
# function's or module's names, which describe a project's habits more than the finding.
ENGINE_FEATURES = ("code", "kind", "path", "rank")


def engine_class(name: str) -> bool:
    return all(part.split("=")[0] in ENGINE_FEATURES for part in name.split(" & "))


def low_classes(rows: list[dict[str, Any]], min_n: int, threshold: float) -> set[str]:
    return {
        c
        for c, g in by_class(rows).items()
        if engine_class(c) and len(g) >= min_n and sum(map(is_leak, g)) / len(g) < threshold
    }


def print_table(rows: list[dict[str, Any]], min_n: int) -> None:
    print(f"{'class':<58} {'precision':<30} plausible")
    for c, g in sorted(by_class(rows).items()):
        if len(g) < min_n:
            continue
        leaks, plaus = sum(map(is_leak, g)), sum(map(is_plausible, g))
        print(f"{c:<58} {rate(leaks, len(g)):<30} {rate(plaus, len(g))}")


def loso(rows: list[dict[str, Any]], sets: list[str], min_n: int, threshold: float) -> None:
    print(f"\nleave-one-set-out (classes with n >= {min_n}, precision < {threshold} elsewhere)")
    totals = [0, 0, 0, 0, 0]
    for s in sets:
        mine = [r for r in rows if r["set"] == s]
        low = low_classes([r for r in rows if r["set"] != s], min_n, threshold)
        kept = [r for r in mine if not low.intersection(r["classes"])]
        lowered = [r for r in mine if low.intersection(r["classes"])]
        k0, k1 = sum(map(is_leak, mine)), sum(map(is_leak, kept))
        p0, p1 = sum(map(is_plausible, mine)), sum(map(is_plausible, kept))
        print(f"  {s:<8} precision {rate(k0, len(mine))} -> {rate(k1, len(kept))}; plausible"
              f" {p0 / max(1, len(mine)):.3f} -> {p1 / max(1, len(kept)):.3f}; lowered"
              f" {len(lowered)} ({sum(map(is_leak, lowered))} real)")  # fmt: skip
        print(f"           classes: {', '.join(sorted(low)) or '-'}")
        for i, v in enumerate((k0, len(mine), k1, len(kept), sum(map(is_leak, lowered)))):
            totals[i] += v
    print(f"  pooled   precision {rate(totals[0], totals[1])} -> {rate(totals[2], totals[3])};"
          f" real leaks lowered {totals[4]}")  # fmt: skip


def loso_lowered(rows: list[dict[str, Any]], sets: list[str], after: Path, min_n: int,
                 threshold: float) -> None:  # fmt: skip
    """Leave-one-set-out estimate of what an engine lowers: a finding ``after``'s findings
    report below warning counts as lowered in set S only if one of its classes (from the
    findings ``rows`` were built from) was chosen on the other sets."""
    print(f"\nleave-one-set-out, lowered by the engine of {after} only if chosen without the set")
    totals = [0, 0, 0, 0, 0]
    for s in sets:
        now = {f["key"]: f for f in read_json(after / f"{s}.json")}
        low = low_classes([r for r in rows if r["set"] != s], min_n, threshold)
        mine = [r for r in rows if r["set"] == s]
        lowered = [
            r
            for r in mine
            if r["key"] in now
            and now[r["key"]]["severity"] != "warning"
            and low.intersection(r["classes"])
        ]
        kept = [r for r in mine if r not in lowered]
        k0, k1, p1 = sum(map(is_leak, mine)), sum(map(is_leak, kept)), sum(map(is_plausible, kept))
        print(f"  {s:<8} precision {rate(k0, len(mine))} -> {rate(k1, len(kept))}; plausible"
              f" {p1 / max(1, len(kept)):.3f}; lowered {len(lowered)}")  # fmt: skip
        for i, v in enumerate((k0, len(mine), k1, len(kept), p1)):
            totals[i] += v
    print(f"  pooled   precision {rate(totals[0], totals[1])} -> {rate(totals[2], totals[3])};"
          f" plausible {totals[4] / max(1, totals[3]):.3f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", default=list(SETS))
    parser.add_argument("--severity", default="warning", help="warning (default), info or all")
    parser.add_argument("--min-n", type=int, default=10)
    parser.add_argument("--threshold", type=float, default=0.80)
    parser.add_argument("--loso", action="store_true", help="leave-one-set-out estimate")
    parser.add_argument("--show", metavar="CLASS", help="list the findings of one class")
    parser.add_argument("--as-labeled", action="store_true",
                        help="the findings as sampled, not as the stored findings have them")
    parser.add_argument("--findings", type=Path, metavar="DIR",
                        help="read SET.json from DIR (default: bench/.work/findings)")
    parser.add_argument("--after", type=Path, metavar="DIR",
                        help="with --loso: what another engine's SET.json files in DIR lower")
    args = parser.parse_args()
    rows = [r for s in args.sets for r in joined(s, args.severity, args.as_labeled, args.findings)]
    if args.show:
        for r in rows:
            if args.show in r["classes"]:
                verdict = "real" if is_leak(r) else "FP  "
                print(f"{verdict} {r['set']:<8} {r['project']}: {r['path']}:{r['line']}"
                      f" {r['message'][:150]}\n          {r['reason'][:200]}")  # fmt: skip
        return
    leaks, plaus = sum(map(is_leak, rows)), sum(map(is_plausible, rows))
    print(f"{len(rows)} labeled findings ({args.severity}): precision {rate(leaks, len(rows))},"
          f" plausible {rate(plaus, len(rows))}\n")  # fmt: skip
    print_table(rows, args.min_n)
    if args.loso:
        loso(rows, args.sets, args.min_n, args.threshold)
    if args.loso and args.after:
        loso_lowered(rows, args.sets, args.after, args.min_n, args.threshold)


if __name__ == "__main__":
    main()
