"""Download and unpack the pinned sdists of the precision projects into bench/.work/.

    .venv/bin/python bench/precision/fetch.py              # heldout and tuning
    .venv/bin/python bench/precision/fetch.py fresh        # one set (or any other fresh* set)

Each project is fetched with `pip download --no-deps --no-binary NAME NAME==VERSION` (a
source distribution, never a wheel) and unpacked to bench/.work/src/NAME-VERSION/. Projects
already unpacked are skipped.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

from common import DOWNLOADS, Project, load_projects, set_arg


def download(project: Project) -> Path:
    """The sdist archive, downloaded if it is not in the cache yet."""
    dest = DOWNLOADS / f"{project.name}-{project.version}"
    archives = sorted(dest.glob("*.tar.gz")) + sorted(dest.glob("*.zip")) if dest.exists() else []
    if archives:
        return archives[0]
    dest.mkdir(parents=True, exist_ok=True)
    cmd = [
        sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
        "--no-binary", project.name, "--dest", str(dest), project.pin,
    ]  # fmt: skip
    subprocess.run(cmd, check=True)
    archives = sorted(dest.glob("*.tar.gz")) + sorted(dest.glob("*.zip"))
    if not archives:
        raise SystemExit(f"{project.pin}: pip download left no sdist in {dest}")
    return archives[0]


def unpack(archive: Path, target: Path) -> None:
    """Unpack an sdist so that its top-level directory becomes `target`."""
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        if archive.name.endswith(".zip"):
            with zipfile.ZipFile(archive) as zf:
                zf.extractall(tmp)
        else:
            with tarfile.open(archive) as tf:
                tf.extractall(tmp, filter="data")
        tops = list(Path(tmp).iterdir())
        top = tops[0] if len(tops) == 1 and tops[0].is_dir() else Path(tmp)
        shutil.move(str(top), target)


def fetch(project: Project) -> None:
    if project.root.exists():
        print(f"{project.pin}: cached", file=sys.stderr)
        return
    archive = download(project)
    project.root.parent.mkdir(parents=True, exist_ok=True)
    unpack(archive, project.root)
    print(f"{project.pin}: {len(project.files())} library files", file=sys.stderr)


def main() -> None:
    failed: list[str] = []
    for set_name in set_arg():
        for project in load_projects(set_name):
            try:
                fetch(project)
            except subprocess.CalledProcessError:
                # pip prepares an sdist's metadata before saving it: an unavailable build
                # backend makes the download fail. Pin another version or another project.
                failed.append(project.pin)
    if failed:
        raise SystemExit(f"could not download: {', '.join(failed)}")


if __name__ == "__main__":
    main()
