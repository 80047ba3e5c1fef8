"""List the saved sessions of the web app."""
# corpus: shape = "derived"
# corpus: tags = ["function", "shelve"]
# corpus: leaks_before = true
# corpus: leak = ["finalized:Shelf"]
# corpus: safe_fix = "expected"

import os
import shelve


def list_sessions(path):
    db = shelve.open(path)
    keys = db.keys()
    return sorted(keys)


def run(workdir, server_addr):
    path = os.path.join(workdir, "sessions")
    with shelve.open(path) as db:
        db["ada"] = {"cart": [1, 2]}
        db["bob"] = {"cart": []}
    return list_sessions(path)
