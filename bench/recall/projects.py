"""The recall projects (projects.toml) and where their downloads live (bench/.work/).

Shared by fetch.py, trace_suites.py and score.py; standard library only, and nothing of
unleak is imported (its engine changes under us: the scripts call it as a command).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import tomllib

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
# gitignored: sdists, unpacked sources, venvs, reports, logs (bench/.work/ is shared with
# bench/precision/, whose sources must not get our marker files or test debris)
WORK = REPO / "bench" / ".work" / "recall"
PROJECTS_FILE = HERE / "projects.toml"
SITES_FILE = HERE / "sites.json"
UNLEAK = REPO / ".venv" / "bin" / "unleak"


@dataclass(frozen=True)
class Deselect:
    test: str  # a pytest node id (or a -k expression when it has no "::" or "/")
    reason: str


@dataclass(frozen=True)
class Project:
    name: str
    version: str
    library: tuple[str, ...]  # paths (relative to the source root) of the library code
    tests: tuple[str, ...]  # paths of the test code (conftest.py files included)
    args: tuple[str, ...]  # after `python -m pytest`
    deps: tuple[str, ...]  # pinned test dependencies
    extras: tuple[str, ...] = ()
    deselect: tuple[Deselect, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    timeout: int = 900  # seconds for the whole traced suite

    @property
    def slug(self) -> str:
        return f"{self.name}-{self.version}"

    @property
    def src(self) -> Path:
        return WORK / "src" / self.slug

    @property
    def venv(self) -> Path:
        return WORK / "venvs" / self.slug

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    def kind_of(self, relpath: str) -> str:
        """'library', 'test' or 'other' for a file relative to the source root."""
        parts = Path(relpath).parts
        name = parts[-1] if parts else ""
        if _under(relpath, self.tests) or name == "conftest.py":
            return "test"
        if _under(relpath, self.library):
            return "library"
        return "other"


def _under(relpath: str, roots: tuple[str, ...]) -> bool:
    rel = relpath.replace(os.sep, "/")
    return any(rel == r or rel.startswith(r.rstrip("/") + "/") for r in roots)


@dataclass(frozen=True)
class Config:
    python: str  # the interpreter every project venv is made with (e.g. "3.11")
    common_deps: tuple[str, ...]
    common_args: tuple[str, ...]
    projects: tuple[Project, ...]

    def select(self, names: list[str]) -> list[Project]:
        if not names:
            return list(self.projects)
        known = {p.name: p for p in self.projects}
        unknown = [n for n in names if n not in known]
        if unknown:
            raise SystemExit(f"unknown project(s): {', '.join(unknown)}")
        return [known[n] for n in names]


def load(path: Path = PROJECTS_FILE) -> Config:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    projects = []
    for item in data["project"]:
        projects.append(
            Project(
                name=item["name"],
                version=item["version"],
                library=tuple(item["library"]),
                tests=tuple(item["tests"]),
                args=tuple(item.get("args", [])),
                deps=tuple(item.get("deps", [])),
                extras=tuple(item.get("extras", [])),
                deselect=tuple(Deselect(d["test"], d["reason"]) for d in item.get("deselect", [])),
                env=dict(item.get("env", {})),
                timeout=int(item.get("timeout", 900)),
            )
        )
    return Config(
        python=str(data["python"]),
        common_deps=tuple(data.get("common-deps", [])),
        common_args=tuple(data.get("common-args", [])),
        projects=tuple(projects),
    )
