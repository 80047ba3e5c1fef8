"""Command line: ``python -m logarchiver LOGDIR [--db archive.db] [--collector HOST:PORT]``."""

from __future__ import annotations

import argparse
from pathlib import Path

from logarchiver.archive import compress, first_timestamp, line_count, load_settings, rotated_logs
from logarchiver.index import Index, count_archived
from logarchiver.notify import send_line_safely


def main() -> int:
    parser = argparse.ArgumentParser(prog="logarchiver")
    parser.add_argument("logdir", type=Path)
    parser.add_argument("--db", default="archive.db")
    parser.add_argument("--collector", help="HOST:PORT to notify")
    args = parser.parse_args()

    settings = load_settings(args.logdir / "logarchiver.json")
    with Index(args.db) as index:
        for log in rotated_logs(args.logdir, str(settings["pattern"])):
            index.add(str(log), first_timestamp(log), line_count(log))
            archived = compress(log)
            if args.collector:
                host, _, port = args.collector.rpartition(":")
                send_line_safely(host, int(port), f"archived {archived.name}")
    print(f"{count_archived(args.db)} files archived")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
