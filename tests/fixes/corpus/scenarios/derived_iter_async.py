"""Load work items in batches, yielding to the event loop between batches."""
# corpus: shape = "derived"
# corpus: tags = ["async", "file"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file"]
# corpus: safe_fix = "expected"

import asyncio
import os


async def load_batches(path, size):
    f = open(path, encoding="utf-8")
    lines = iter(f)
    header = next(lines)
    if header.strip() != "items":
        raise ValueError(f"unexpected header {header.strip()!r}")
    batches, batch = [], []
    for line in lines:
        batch.append(line.strip())
        if len(batch) == size:
            batches.append(batch)
            batch = []
            await asyncio.sleep(0)
    return [*batches, batch] if batch else batches


async def run(workdir, server_addr):
    good = os.path.join(workdir, "items.txt")
    with open(good, "w", encoding="utf-8") as f:
        f.write("items\na\nb\nc\nd\ne\n")
    bad = os.path.join(workdir, "other.txt")
    with open(bad, "w", encoding="utf-8") as f:
        f.write("things\nx\n")
    result = {"batches": await load_batches(good, 2)}
    try:
        await load_batches(bad, 2)
    except ValueError as exc:
        result["error"] = str(exc)
    return result
