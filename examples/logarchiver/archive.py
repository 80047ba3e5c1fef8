"""Find rotated log files, read their first timestamp and compress them."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

DEFAULT_SETTINGS: dict[str, object] = {"pattern": "*.log.[0-9]", "external_gzip": False}


def load_settings(path: Path) -> dict[str, object]:
    settings = dict(DEFAULT_SETTINGS)
    if path.exists():
        # LEAK UL101: the file object is dropped at once and never closed.
        settings.update(json.load(open(path)))
    return settings


def rotated_logs(directory: Path, pattern: str) -> Iterator[Path]:
    # OK: no resource, just paths.
    yield from sorted(p for p in directory.glob(pattern) if p.is_file())


def first_timestamp(log: Path) -> str | None:
    f = open(log, encoding="utf-8", errors="replace")
    header = f.readline()
    if not header.strip():
        # LEAK UL101: this early return leaves f open.
        return None
    f.close()
    return header.split(" ", 1)[0]


def line_count(log: Path) -> int:
    # OK: the with statement closes the file on every path.
    with open(log, "rb") as f:
        return sum(1 for _ in f)


def compress(log: Path) -> Path:
    # OK: both files are closed even if copying fails half-way.
    target = log.with_name(log.name + ".gz")
    with open(log, "rb") as src, gzip.open(target, "wb") as dst:
        shutil.copyfileobj(src, dst)
    log.unlink()
    return target


def compress_in_background(log: Path) -> None:
    # LEAK UL101: the gzip child is never waited for and stays a zombie.
    proc = subprocess.Popen(["gzip", "-f", str(log)])
    print(f"compressing {log.name} in process {proc.pid}")


def compress_external(log: Path) -> Path:
    # OK: subprocess.run waits for the child.
    subprocess.run(["gzip", "-f", str(log)], check=True)
    return log.with_name(log.name + ".gz")
