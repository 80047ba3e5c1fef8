"""Count the words of a document, the file typed for the type checker."""
# corpus: shape = "inline-open"
# corpus: tags = ["function", "file"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file"]
# corpus: safe_fix = "expected"

import os
import typing


def word_count(path):
    f = typing.cast(typing.IO[str], open(path, encoding="utf-8"))
    words = f.read().split()
    if not words:
        return 0
    f.close()
    return len(words)


def run(workdir, server_addr):
    full = os.path.join(workdir, "doc.txt")
    with open(full, "w", encoding="utf-8") as f:
        f.write("one two three")
    empty = os.path.join(workdir, "empty.txt")
    with open(empty, "w", encoding="utf-8") as f:
        f.write("   ")
    return [word_count(full), word_count(empty)]
