"""A tool whose `if __name__ == "__main__":` block reads its input without closing it."""
# corpus: shape = "plain"
# corpus: tags = ["main", "file"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file"]
# corpus: safe_fix = "expected"
# corpus: run = "script"

import os
import sys


def longest(lines):
    return max(lines, key=len) if lines else ""


if __name__ == "__main__":
    path = os.path.join(sys.argv[1], "words.txt")
    with open(path, "w", encoding="utf-8") as out:
        out.write("lease\nresource\nlock\n")
    words = open(path, encoding="utf-8")
    print("longest:", longest(words.read().split()))
