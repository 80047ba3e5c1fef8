"""A tool whose main block writes an xz archive and never closes it."""
# corpus: shape = "plain"
# corpus: tags = ["main", "lzma"]
# corpus: leaks_before = true
# corpus: leak = ["finalized:LZMAFile"]
# corpus: safe_fix = "expected"
# corpus: run = "script"

import lzma
import os
import sys

if __name__ == "__main__":
    path = os.path.join(sys.argv[1], "data.xz")
    out = lzma.open(path, "wb")
    out.write(b"payload " * 4)
    print("wrote:", out.tell())
