"""Distinct normalised tags of a tag file."""
# corpus: shape = "should-fix"
# corpus: tags = ["method", "file"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file"]
# corpus: safe_fix = "expected"

import os


class TagIndex:
    def __init__(self, path):
        self.path = path

    def tags(self):
        return sorted(set(self.normalise(t) for t in open(self.path, encoding="utf-8")))

    @staticmethod
    def normalise(tag):
        return tag.strip().lower()


def run(workdir, server_addr):
    path = os.path.join(workdir, "tags.txt")
    with open(path, "w", encoding="utf-8") as f:
        f.write("Python\npython\nRust\n")
    return TagIndex(path).tags()
