"""Word lengths of a glossary file."""
# corpus: shape = "inline-open"
# corpus: tags = ["function", "file"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file"]
# corpus: safe_fix = "expected"

import os


def word_lengths(path):
    return {word: len(word) for word in open(path, encoding="utf-8").read().split()}


def run(workdir, server_addr):
    path = os.path.join(workdir, "glossary.txt")
    with open(path, "w", encoding="utf-8") as f:
        f.write("lease lock\nfile")
    return word_lengths(path)
