"""A script that unpacks into a temporary directory and never cleans it up."""
# corpus: shape = "plain"
# corpus: tags = ["script", "tempfile"]
# corpus: leaks_before = true
# corpus: leak = ["warning:Implicitly cleaning up"]
# corpus: safe_fix = "expected"
# corpus: run = "script"

import os
import sys
import tempfile

scratch = tempfile.TemporaryDirectory(dir=sys.argv[1])
for name in ["a.txt", "b.txt"]:
    with open(os.path.join(scratch.name, name), "w", encoding="utf-8") as out:
        out.write(name)
print("unpacked:", sorted(os.listdir(scratch.name)))
