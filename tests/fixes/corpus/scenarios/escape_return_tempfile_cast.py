"""Render a report into a temporary file typed for the mail attachment API."""
# corpus: shape = "escapes"
# corpus: tags = ["function", "tempfile"]
# corpus: leaks_before = true
# corpus: leak = ["finalized:NamedTemporaryFile"]
# corpus: safe_fix = "expected"

import tempfile
import typing


def render_report(rows, spool_dir):
    tmp = tempfile.NamedTemporaryFile("w+", suffix=".txt", dir=spool_dir, encoding="utf-8")
    for name, amount in rows:
        tmp.write(f"{name:<10}{amount:>8.2f}\n")
    tmp.seek(0)
    return typing.cast(typing.IO[str], tmp)


def run(workdir, server_addr):
    with render_report([("rent", 900), ("food", 312.5)], workdir) as report:
        result = {"report": report.read()}
    try:
        render_report([("rent", 900), ("tax", "unknown")], workdir)
    except ValueError as exc:
        result["error"] = str(exc)
    return result
