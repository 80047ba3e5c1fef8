"""Log a batch run to its own log file."""
# corpus: shape = "with-unsupported"
# corpus: tags = ["function", "logging"]
# corpus: leaks_before = true
# corpus: leak = ["finalized:FileHandler"]
# corpus: safe_fix = "expected"

import logging
import os


def process_batch(log_path, items):
    handler = logging.FileHandler(log_path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    log = logging.getLogger("corpus.batch")
    log.addHandler(handler)
    try:
        for item in items:
            log.warning("processing %s", item)
    finally:
        log.removeHandler(handler)
    return len(items)


def run(workdir, server_addr):
    path = os.path.join(workdir, "batch.log")
    count = process_batch(path, ["a", "b"])
    with open(path, encoding="utf-8") as f:
        return {"count": count, "log": f.read()}
