"""Remember the last run of a job in a shelf; an unknown job returns early."""
# corpus: shape = "plain"
# corpus: tags = ["function", "shelve"]
# corpus: leaks_before = true
# corpus: leak = ["finalized:Shelf"]
# corpus: safe_fix = "expected"

import os
import shelve


def last_run(path, job):
    db = shelve.open(path)
    if job not in db:
        return None
    when = db[job]
    db.close()
    return when


def run(workdir, server_addr):
    path = os.path.join(workdir, "jobs")
    with shelve.open(path) as db:
        db["backup"] = "2026-12-05"
    return [last_run(path, "backup"), last_run(path, "cleanup")]
