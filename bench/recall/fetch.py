"""Download, unpack and install the recall projects (projects.toml) into bench/.work/.

    .venv/bin/python bench/recall/fetch.py                # every project: sources and venv
    .venv/bin/python bench/recall/fetch.py waitress click # some of them
    .venv/bin/python bench/recall/fetch.py --sources-only # no venvs (enough for score.py)

For each project: `pip download --no-deps --no-binary NAME NAME==VERSION` (the sdist, never
a wheel: the tests ship only there), unpacked to bench/.work/src/NAME-VERSION/, and a venv
bench/.work/venvs/NAME-VERSION/ made with the Python of projects.toml, with the project
installed in editable mode (its tests then run against the unpacked sources, which is what
`unleak check` reads) and the pinned test dependencies. Each step is skipped when a stamp
says it was done with the same pins.
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

from projects import WORK, Config, Project, load

SDISTS = WORK / "sdists"
STAMP = ".bench-recall-stamp"
# unleak trace takes the nearest pyproject.toml above the working directory as the project
# root; without one in the sdist that would be this repository's.
MARKER = "# Written by bench/recall/fetch.py: marks the project root for unleak trace.\n"


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _find_sdist(project: Project) -> Path | None:
    want = f"{_normalise(project.name)}-{project.version}"
    for path in sorted(SDISTS.glob("*")):
        stem = path.name.removesuffix(".tar.gz").removesuffix(".zip")
        if _normalise(stem.rsplit("-", 1)[0]) + "-" + stem.rsplit("-", 1)[-1] == want:
            return path
    return None


def download(project: Project) -> Path:
    found = _find_sdist(project)
    if found:
        return found
    SDISTS.mkdir(parents=True, exist_ok=True)
    pin = f"{project.name}=={project.version}"
    pip = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps"]
    subprocess.run([*pip, "--no-binary", project.name, "--dest", str(SDISTS), pin], check=True)
    found = _find_sdist(project)
    if found is None:
        raise SystemExit(f"{pin}: pip download gave no sdist in {SDISTS}")
    return found


def _unpack(archive: Path, into: Path) -> None:
    if archive.name.endswith(".zip"):
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(into)
    else:
        with tarfile.open(archive) as tf:
            tf.extractall(into, filter="data")


def ensure_sources(project: Project) -> Path:
    """The unpacked sdist (downloaded first if needed)."""
    stamp = project.src / STAMP
    if stamp.is_file():
        return project.src
    archive = download(project)
    project.src.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=project.src.parent) as tmp:
        _unpack(archive, Path(tmp))
        (top,) = Path(tmp).iterdir()  # an sdist holds one NAME-VERSION/ directory
        if project.src.exists():
            shutil.rmtree(project.src)
        top.rename(project.src)
    if not (project.src / "pyproject.toml").exists():
        (project.src / "pyproject.toml").write_text(MARKER, encoding="utf-8")
    stamp.write_text(archive.name + "\n", encoding="utf-8")
    return project.src


def find_python(version: str) -> str:
    """The interpreter of projects.toml: pythonX.Y on PATH, else under $PYENV_ROOT."""
    found = shutil.which(f"python{version}")
    if found:
        return found
    root = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    candidates = sorted(glob.glob(os.path.join(root, "versions", f"{version}.*", "bin", "python3")))
    if not candidates:
        raise SystemExit(f"no Python {version} found (PATH, $PYENV_ROOT/versions)")
    return candidates[-1]


def _install_spec(config: Config, project: Project) -> list[str]:
    extras = f"[{','.join(project.extras)}]" if project.extras else ""
    return ["-e", f"{project.src}{extras}", *config.common_deps, *project.deps]


def ensure_venv(config: Config, project: Project) -> Path:
    spec = _install_spec(config, project)
    digest = hashlib.sha256(json.dumps([config.python, spec]).encode()).hexdigest()
    stamp = project.venv / STAMP
    if stamp.is_file() and stamp.read_text(encoding="utf-8").strip() == digest:
        return project.venv
    if project.venv.exists():
        shutil.rmtree(project.venv)
    python = find_python(config.python)
    subprocess.run([python, "-m", "venv", str(project.venv)], check=True)
    pip = [str(project.python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, *spec], check=True)
    stamp.write_text(digest + "\n", encoding="utf-8")
    return project.venv


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="projects (default: all)")
    parser.add_argument("--sources-only", action="store_true", help="do not make the venvs")
    ns = parser.parse_args()
    config = load()
    failed = []
    for project in config.select(ns.names):
        try:
            ensure_sources(project)
            if not ns.sources_only:
                ensure_venv(config, project)
            print(f"{project.slug}: ready", flush=True)
        except (subprocess.CalledProcessError, OSError, ValueError) as exc:
            print(f"{project.slug}: FAILED: {exc}", file=sys.stderr, flush=True)
            failed.append(project.slug)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
