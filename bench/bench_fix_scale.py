"""How `--fix` and `--diff` scale with the size of one file, against a plain check.

    .venv/bin/python bench/bench_fix_scale.py                    # 10k, 30k and 100k lines
    .venv/bin/python bench/bench_fix_scale.py --lines 10000 30000
    .venv/bin/python bench/bench_fix_scale.py --profile 30000    # cProfile of --fix, in process

Each size is one generated module of application-style functions (files, sockets, sqlite,
subprocesses, locks, asyncio streams and tasks; most leak, with a fix, some do not, and plain
code in between). Every run is a fresh `unleak check` process on a copy of the file, without
cache or config; CPU time is the child's user + sys. The ratios `--diff / check` and
`--fix / check` should stay the same at every size (linear cost) and under 2.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UNLEAK = [sys.executable, "-m", "unleak"]

HEADER = '''"""Generated: application-style functions, many with a resource leak."""

import asyncio
import csv
import json
import os
import socket
import sqlite3
import subprocess
import tempfile
import threading

_lock = threading.Lock()
'''

# Each unit is about 100 lines; {i} keeps the names apart.
UNIT = '''

def load_config_{i}(path):
    f = open(path, encoding="utf-8")
    data = json.load(f)
    if not data:
        return {{}}
    f.close()
    return data


def count_rows_{i}(db):
    conn = sqlite3.connect(db)
    rows = conn.execute("select count(*) from items").fetchone()
    conn.close()
    return rows[0]


def read_header_{i}(path):
    return open(path).readline().strip()


def export_{i}(rows, path):
    out = open(path, "w", newline="")
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([row["id"], row["name"], row.get("size", 0)])
    out.close()
    return len(rows)


def ping_{i}(host, port):
    sock = socket.create_connection((host, port), timeout=2)
    sock.sendall(b"PING\\r\\n")
    reply = sock.recv(64)
    sock.close()
    return reply == b"PONG\\r\\n"


def bump_{i}(counter, key):
    _lock.acquire()
    counter[key] = counter.get(key, 0) + 1
    _lock.release()
    return counter[key]


def scratch_{i}(payload):
    fd, path = tempfile.mkstemp(suffix=".bin")
    os.write(fd, payload)
    os.close(fd)
    return path


async def fetch_{i}(host, port, key):
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(key.encode() + b"\\n")
    await writer.drain()
    line = await reader.readline()
    writer.close()
    await writer.wait_closed()
    return line.decode().strip()


async def notify_{i}(queue, event):
    asyncio.create_task(queue.put(event))
    return event


def version_{i}(tool):
    proc = subprocess.Popen([tool, "--version"], stdout=subprocess.PIPE)
    out, _ = proc.communicate()
    return out.decode().split()[-1]


def summarise_{i}(items):
    total = 0
    names = []
    for item in items:
        if item.get("skip"):
            continue
        total += item["size"] * {i} % 7
        names.append(item["name"].title())
    return {{"total": total, "names": sorted(names)}}


def tidy_{i}(path):
    with open(path, encoding="utf-8") as f:
        return [line.rstrip() for line in f if line.strip()]
'''


def build(lines: int) -> str:
    unit_lines = UNIT.count("\n")
    units = max(1, (lines - HEADER.count("\n")) // unit_lines)
    return HEADER + "".join(UNIT.format(i=i) for i in range(units))


def _cpu_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(args: list[str], cwd: Path) -> tuple[float, float, str]:
    """CPU and wall seconds of one fresh unleak process, and its last line of output."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "server")}
    cpu0, wall0 = _cpu_children(), time.perf_counter()
    done = subprocess.run(
        [*UNLEAK, "check", "--no-cache", "--no-config", "--exit-zero", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    cpu, wall = _cpu_children() - cpu0, time.perf_counter() - wall0
    if done.returncode not in (0, 1):
        raise SystemExit(f"unleak {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    tail = (done.stdout.strip().splitlines() or [""])[-1]
    return cpu, wall, tail


def measure(lines: int, work: Path) -> dict[str, float]:
    text = build(lines)
    src = work / f"app_{lines}.py"
    src.write_text(text, encoding="utf-8")
    real = text.count("\n")
    results: dict[str, float] = {}
    print(f"\n{real:,} lines ({len(text) // 1024} KiB)", flush=True)
    for label, extra in (("check", []), ("--diff", ["--diff"]), ("--fix", ["--fix"])):
        target = work / f"run_{lines}.py"
        shutil.copyfile(src, target)
        cpu, wall, tail = run([*extra, target.name], work)
        results[label] = cpu
        print(f"  {label:7} cpu {cpu:8.2f} s  wall {wall:8.2f} s  {tail[:70]}", flush=True)
    for label in ("--diff", "--fix"):
        print(f"  {label} / check = {results[label] / results['check']:.2f}")
    return results


def profile(lines: int, top: int) -> None:
    import cProfile
    import pstats

    sys.path.insert(0, str(ROOT / "server"))
    from unleak.pipeline.fix_loop import fix_source

    text = build(lines)
    prof = cProfile.Profile()
    prof.enable()
    result = fix_source(text, "app.py")
    prof.disable()
    print(f"{text.count(chr(10)):,} lines: {len(result.applied)} fixes applied")
    pstats.Stats(prof).sort_stats("cumulative").print_stats(top)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, nargs="+", default=[10_000, 30_000, 100_000])
    parser.add_argument("--profile", type=int, metavar="LINES", help="profile --fix in process")
    parser.add_argument("--top", type=int, default=40)
    ns = parser.parse_args()
    if ns.profile:
        profile(ns.profile, ns.top)
        return 0
    print(f"python {platform.python_version()}, load {os.getloadavg()[0]:.2f} at start")
    table: dict[int, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="unleak-fix-scale-") as tmp:
        for lines in ns.lines:
            table[lines] = measure(lines, Path(tmp))
    print(f"\nload {os.getloadavg()[0]:.2f} at end\n")
    print(f"{'lines':>8} {'check':>8} {'--diff':>8} {'--fix':>8} {'diff/chk':>9} {'fix/chk':>8}")
    for lines, r in table.items():
        print(
            f"{lines:>8,} {r['check']:>8.2f} {r['--diff']:>8.2f} {r['--fix']:>8.2f}"
            f" {r['--diff'] / r['check']:>9.2f} {r['--fix'] / r['check']:>8.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
