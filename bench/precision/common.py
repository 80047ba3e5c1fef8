"""Shared helpers for the precision benchmark: project lists, cache paths, unleak runs, keys.

unleak is only ever run as a command (never imported), so these scripts keep working while
the engine changes.
"""

from __future__ import annotations

import ast
import fnmatch
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import tomllib

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
WORK = REPO / "bench" / ".work"  # gitignored download cache
DOWNLOADS = WORK / "downloads"
SOURCES = WORK / "src"
FINDINGS = WORK / "findings"
SETS = (
    "heldout",
    "tuning",
    "fresh",
    "fresh2",
    "fresh3",
    "fresh4",
    "fresh5",
    "fresh6",
    "fresh7",
    "fresh8",
)
# Sets run when none is named: the fresh sets are opt-in (labeled separately, by hand).
DEFAULT_SETS = ("heldout", "tuning")


def unleak_command() -> list[str]:
    """The unleak command: UNLEAK env var, else the venv next to the repo, else PATH."""
    if env := os.environ.get("UNLEAK"):
        return env.split()
    venv = REPO / ".venv" / "bin" / "unleak"
    return [str(venv)] if venv.exists() else ["unleak"]


@dataclass(frozen=True)
class Project:
    name: str
    version: str
    library: tuple[str, ...]
    exclude: tuple[str, ...]

    @property
    def pin(self) -> str:
        return f"{self.name}=={self.version}"

    @property
    def root(self) -> Path:
        """The unpacked sdist."""
        return SOURCES / f"{self.name}-{self.version}"

    def files(self) -> list[str]:
        """Library .py files, relative to the root, sorted, excludes applied."""
        out: list[str] = []
        for lib in self.library:
            base = self.root / lib
            if base.is_file():
                candidates = [base]
            else:
                candidates = sorted(base.rglob("*.py"))
            for path in candidates:
                rel = path.relative_to(self.root).as_posix()
                if not any(fnmatch.fnmatch(rel, pat) for pat in self.exclude):
                    out.append(rel)
        return sorted(set(out))


def load_projects(name: str) -> list[Project]:
    """Projects of one set: a name in SETS (or a path to a TOML file)."""
    path = HERE / f"{name}.toml" if name in SETS else Path(name)
    data = tomllib.loads(path.read_text())
    return [
        Project(
            name=p["name"],
            version=p["version"],
            library=tuple(p["library"]),
            exclude=tuple(p.get("exclude", ())),
        )
        for p in data["project"]
    ]


def set_arg(argv: list[str] | None = None) -> list[str]:
    """Sets named on the command line (default: DEFAULT_SETS)."""
    args = [a for a in (argv if argv is not None else sys.argv[1:]) if not a.startswith("-")]
    return args or list(DEFAULT_SETS)


# ---- running unleak ---------------------------------------------------------------------


def run_unleak(project: Project, jobs: int = 2) -> list[dict[str, Any]]:
    """Findings of unleak over a project's library files, paths relative to the sdist root."""
    files = project.files()
    if not files:
        raise SystemExit(f"{project.pin}: no library files under {project.root} (run fetch.py)")
    cmd = [
        "nice",
        *unleak_command(),
        "check",
        "--format",
        "json",
        "--no-cache",
        "--no-config",
        "--exit-zero",
        "--jobs",
        str(jobs),
        *files,
    ]
    proc = subprocess.run(cmd, cwd=project.root, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{project.pin}: unleak failed ({proc.returncode}):\n{proc.stderr}")
    raw = json.loads(proc.stdout or "[]")
    out: list[dict[str, Any]] = []
    for f in raw:
        path = Path(f["path"])
        rel = path.relative_to(project.root) if path.is_absolute() else path
        out.append(
            {
                "project": project.name,
                "path": rel.as_posix(),
                "line": f["line"],
                "code": f["code"],
                "message": f["message"],
                "severity": f.get("severity", ""),
            }
        )
    add_keys(project, out)
    return out


# ---- stable keys ------------------------------------------------------------------------


@cache
def _source_lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []


@cache
def _scopes(path: Path) -> list[tuple[int, int, str]]:
    """(first line, last line, qualified name) of every function and class, outermost first."""
    try:
        tree = ast.parse(path.read_bytes())
    except (SyntaxError, ValueError, OSError):
        return []
    out: list[tuple[int, int, str]] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                name = f"{prefix}{child.name}"
                first = min([d.lineno for d in child.decorator_list] + [child.lineno])
                out.append((first, child.end_lineno or child.lineno, name))
                visit(child, name + ".")
            else:
                visit(child, prefix)

    visit(tree, "")
    return out


def enclosing(path: Path, line: int) -> str:
    """Qualified name of the innermost function or class around a line ('' at module level)."""
    best = ""
    for first, last, name in _scopes(path):
        if first <= line <= last:
            best = name  # later entries are nested deeper
    return best


def add_keys(project: Project, findings: list[dict[str, Any]]) -> None:
    """Give each finding a key that survives edits elsewhere in the file.

    key = path | code | enclosing function | stripped text of the reported line | n, where n
    counts earlier findings with the same other parts (so two identical lines differ).
    """
    seen: dict[str, int] = {}
    for f in sorted(findings, key=lambda f: (f["path"], f["line"], f["code"], f["message"])):
        path = project.root / f["path"]
        lines = _source_lines(path)
        text = lines[f["line"] - 1].strip() if 0 < f["line"] <= len(lines) else ""
        f["function"] = enclosing(path, f["line"])
        base = "|".join((f["path"], f["code"], f["function"], " ".join(text.split())))
        n = seen.get(base, 0)
        seen[base] = n + 1
        f["key"] = f"{base}|{n}"


def findings_file(set_name: str) -> Path:
    return FINDINGS / f"{set_name}.json"


def labels_file(set_name: str) -> Path:
    return HERE / f"{set_name}_labels.json"


def baseline_file(set_name: str) -> Path:
    """Every finding (key, project, code) at the time the sample was last drawn or refreshed."""
    return HERE / f"{set_name}_baseline.json"


def read_json(path: Path) -> Any:
    return json.loads(path.read_text())


def write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
