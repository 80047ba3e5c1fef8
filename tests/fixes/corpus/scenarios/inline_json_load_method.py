"""Settings loaded by a service object from its JSON file."""
# corpus: shape = "inline-open"
# corpus: tags = ["method", "file"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file"]
# corpus: safe_fix = "expected"

import json
import os


class Service:
    def __init__(self, path):
        self.path = path
        self.settings = {}

    def reload(self):
        self.settings = json.load(open(self.path, encoding="utf-8"))
        return sorted(self.settings)


def run(workdir, server_addr):
    path = os.path.join(workdir, "service.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"port": 80, "host": "a"}, f)
    return Service(path).reload()
