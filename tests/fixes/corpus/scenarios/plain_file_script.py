"""A script that counts the lines of its input file at module scope."""
# corpus: shape = "plain"
# corpus: tags = ["script", "file"]
# corpus: leaks_before = true
# corpus: leak = ["warning:unclosed file"]
# corpus: safe_fix = "expected"
# corpus: run = "script"

import os
import sys

path = os.path.join(sys.argv[1], "input.txt")
with open(path, "w", encoding="utf-8") as out:
    out.write("one\ntwo\nthree\n")

source = open(path, encoding="utf-8")
count = 0
for _ in source:
    count += 1
print("lines:", count)
