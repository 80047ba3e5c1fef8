"""Total length of the chapters of a book."""
# corpus: shape = "inline-open"
# corpus: tags = ["method", "file"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file"]
# corpus: safe_fix = "none"

import os


class Book:
    def __init__(self, root, chapters):
        self.root = root
        self.chapters = chapters

    def length(self):
        root = self.root
        return sum(len(open(os.path.join(root, c), encoding="utf-8").read()) for c in self.chapters)


def run(workdir, server_addr):
    for name, text in [("1.md", "# One\n"), ("2.md", "# Two\nmore\n")]:
        with open(os.path.join(workdir, name), "w", encoding="utf-8") as f:
            f.write(text)
    return Book(workdir, ["1.md", "2.md"]).length()
