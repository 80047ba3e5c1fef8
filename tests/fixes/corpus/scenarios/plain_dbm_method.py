"""A key-value settings store on dbm; a missing key raises with the database open."""
# corpus: shape = "plain"
# corpus: tags = ["method", "dbm"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed database"]
# corpus: safe_fix = "expected"

import dbm
import os


class SettingsStore:
    def __init__(self, path):
        self.path = path
        with dbm.open(path, "c") as db:
            db[b"theme"] = b"dark"

    def get(self, key):
        db = dbm.open(self.path, "r")
        value = db[key.encode()].decode()
        db.close()
        return value


def run(workdir, server_addr):
    store = SettingsStore(os.path.join(workdir, "settings"))
    result = {"theme": store.get("theme")}
    try:
        store.get("lang")
    except KeyError as exc:
        result["lang"] = repr(exc.args[0])
    return result
